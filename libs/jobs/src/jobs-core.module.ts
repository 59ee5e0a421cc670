import { Module } from '@nestjs/common';
import { OperationsModule } from './domain/operations/operations.module';
import { JobItemsModule } from './items/job-items.module';
import { JobQueuesModule } from './queueing/job-queues.module';
import { JobRecordsModule } from './records/job-records.module';
import { SchedulingModule } from './scheduling/scheduling.module';

const ROOMS = [
  OperationsModule,
  JobQueuesModule,
  JobItemsModule,
  JobRecordsModule,
  SchedulingModule,
];

/** The rooms the API and the workers share; each exports its services, never its repositories. */
@Module({ imports: ROOMS, exports: ROOMS })
export class JobsCoreModule {}
