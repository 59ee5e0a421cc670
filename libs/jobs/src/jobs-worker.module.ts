import { Module } from '@nestjs/common';
import { JobRunner } from './job-runner.service';
import { FairScheduler } from './scheduling/fair-scheduler.service';
import { JobsCoreModule } from './jobs-core.module';
import { JobsMaintenanceService } from './jobs-maintenance.service';
import { BulkJobsProcessor, JobsMaintenanceProcessor, WebhooksProcessor } from './jobs.processor';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';

/** The background side: Bull processors (providers) that delegate to services. */
@Module({
  imports: [JobsCoreModule],
  providers: [
    JobRunner,
    FairScheduler,
    JobsMaintenanceService,
    WebhookDeliveryService,
    BulkJobsProcessor,
    WebhooksProcessor,
    JobsMaintenanceProcessor,
  ],
  exports: [JobsMaintenanceService, JobRunner],
})
export class JobsWorkerModule {}
