import { Module } from '@nestjs/common';
import { OpsLoggingModule } from './logging/ops-logging.module';
import { QueueBoardModule } from './queues/queue-board.module';

/** What operators get from the API process: structured request logs and the queue dashboard. */
@Module({
  imports: [OpsLoggingModule, QueueBoardModule],
})
export class OpsModule {}
