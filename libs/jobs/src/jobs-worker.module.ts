import { Module } from '@nestjs/common';
import { JobsCoreModule } from './jobs-core.module';
import { JobsMaintenanceProcessor } from './maintenance/jobs-maintenance.processor';
import { JobsMaintenanceService } from './maintenance/jobs-maintenance.service';
import { BulkJobsProcessor } from './runner/bulk-jobs.processor';
import { ChunkWorkRepository } from './runner/chunk-work.repository';
import { JobRunner } from './runner/job-runner.service';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';
import { WebhooksProcessor } from './webhooks/webhooks.processor';

/** The background side: Bull processors (providers) that delegate to the runner, webhooks and maintenance. */
@Module({
  imports: [JobsCoreModule],
  providers: [
    ChunkWorkRepository,
    JobRunner,
    BulkJobsProcessor,
    WebhookDeliveryService,
    WebhooksProcessor,
    JobsMaintenanceService,
    JobsMaintenanceProcessor,
  ],
  exports: [JobsMaintenanceService, JobRunner],
})
export class JobsWorkerModule {}
