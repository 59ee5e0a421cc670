import { AppConfigModule } from '@app/common';
import { DatabaseModule } from '@app/database';
import { OpsLoggingModule } from '@app/ops';
import { QueueModule } from '@app/queue';
import { WorkersModule } from '@app/runtime';
import { Module } from '@nestjs/common';

/** A worker-only process: queues and processors, no HTTP server. */
@Module({
  imports: [AppConfigModule, OpsLoggingModule, DatabaseModule, QueueModule, WorkersModule],
})
export class WorkerModule {}
