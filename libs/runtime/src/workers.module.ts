import { IdempotencyWorkerModule } from '@app/idempotency';
import { JobsWorkerModule } from '@app/jobs';
import { OrdersBulkModule } from '@app/orders';
import { Module } from '@nestjs/common';

/** Every Bull processor; imported by the worker app, and by the API unless RUN_WORKERS=false. */
@Module({
  imports: [IdempotencyWorkerModule, JobsWorkerModule, OrdersBulkModule],
})
export class WorkersModule {}
