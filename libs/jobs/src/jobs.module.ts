import { Module } from '@nestjs/common';
import { EventsController } from './http/events.controller';
import { JobProgressListener } from './http/job-progress.listener';
import { JobsController } from './http/jobs.controller';
import { LimitsController } from './http/limits.controller';
import { JobsCoreModule } from './jobs-core.module';
import { AcceptJob } from './use-cases/accept-job/accept-job.use-case';
import { CancelJob } from './use-cases/cancel-job/cancel-job.use-case';
import { CreateJob } from './use-cases/create-job/create-job.use-case';
import { DeleteJob } from './use-cases/delete-job/delete-job.use-case';
import { ReadLimits } from './use-cases/read-limits/read-limits.service';
import { ReadJobs } from './use-cases/read-jobs/read-jobs.service';
import { RetryJob } from './use-cases/retry-job/retry-job.use-case';
import { StageUpload } from './use-cases/stage-upload/stage-upload.use-case';
import { WebhookTargetCheck } from './webhooks/webhook-target-check';

/** The HTTP side of bulk jobs (and the tenant's quotas): thin controllers over one use case per action. */
@Module({
  imports: [JobsCoreModule],
  controllers: [JobsController, EventsController, LimitsController],
  providers: [
    CreateJob,
    AcceptJob,
    StageUpload,
    CancelJob,
    RetryJob,
    DeleteJob,
    ReadJobs,
    ReadLimits,
    JobProgressListener,
    WebhookTargetCheck,
  ],
})
export class JobsModule {}
