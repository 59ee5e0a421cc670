import { PaginationService } from '@app/pagination';
import { Module } from '@nestjs/common';
import { JobItemsModule } from '../items/job-items.module';
import { JobQueuesModule } from '../queueing/job-queues.module';
import { BulkJobsRepository } from './bulk-jobs.repository';
import { JobEventsRepository } from './job-events.repository';
import { JobLifecycleService } from './job-lifecycle.service';
import { JobRecords } from './job-records.service';

/** Job and event rows, and the job state machine that moves them. */
@Module({
  imports: [JobItemsModule, JobQueuesModule],
  // The workers' process has no HTTP pagination module; the list statements need the service.
  providers: [
    BulkJobsRepository,
    JobEventsRepository,
    JobRecords,
    JobLifecycleService,
    PaginationService,
  ],
  exports: [JobRecords, JobLifecycleService],
})
export class JobRecordsModule {}
