import { keepRepeatable, MAINTENANCE_QUEUE } from '@app/queue';
import { runInTracedWork } from '@app/telemetry';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bull';
import { JobRunner } from './job-runner.service';
import { JobsMaintenanceService } from './jobs-maintenance.service';
import {
  BULK_QUEUE,
  JobName,
  QUEUE_SETTINGS,
  WEBHOOK_QUEUE,
  type BulkQueueJob,
  type NamedJob,
} from './jobs.constants';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';

const RECONCILE_EVERY_MS = 30_000;
const SWEEP_EVERY_MS = 60_000;
/** Work untouched for this long is checked against the queue. */
const RECONCILE_STALE_SECONDS = 15;

/**
 * Applies chunks and atomic jobs; delegates everything to the runner. One handler for every job name:
 * Bull adds up the concurrency of named handlers, and WORKER_CONCURRENCY must be the real ceiling.
 */
@Processor(BULK_QUEUE)
export class BulkJobsProcessor {
  constructor(private readonly runner: JobRunner) {}

  @Process({ name: '*', concurrency: QUEUE_SETTINGS[BULK_QUEUE].concurrency() })
  apply(job: BulkQueueJob) {
    const queue = { 'messaging.system': 'bull', 'messaging.destination.name': BULK_QUEUE };
    switch (job.name) {
      case JobName.Atomic:
        return runInTracedWork(
          'bulk_job.atomic',
          job.data.trace,
          { ...queue, 'bulk_job.id': job.data.jobId },
          () => this.runner.processAtomic(job.data.jobId),
        );
      case JobName.Chunk:
        return runInTracedWork(
          'bulk_job.chunk',
          job.data.trace,
          { ...queue, 'bulk_job.id': job.data.jobId, 'bulk_job.chunk': job.data.chunk },
          () => this.runner.processChunk(job.data.jobId, job.data.chunk),
        );
    }
  }
}

@Processor(WEBHOOK_QUEUE)
export class WebhooksProcessor {
  constructor(private readonly delivery: WebhookDeliveryService) {}

  @Process({ name: JobName.Deliver, concurrency: QUEUE_SETTINGS[WEBHOOK_QUEUE].concurrency() })
  deliver(job: NamedJob<typeof JobName.Deliver>) {
    const attempt = job.attemptsMade + 1;
    return runInTracedWork(
      'webhook.deliver',
      job.data.trace,
      {
        'messaging.system': 'bull',
        'messaging.destination.name': WEBHOOK_QUEUE,
        'webhook.event_id': job.data.eventId,
        'webhook.attempt': attempt,
      },
      () => this.delivery.deliver(job.data.eventId, attempt, attempt >= (job.opts.attempts ?? 1)),
    );
  }
}

/** Reconciler and TTL sweeper, as repeatable jobs kept registered, plus one reconcile pass at start-up. */
@Processor(MAINTENANCE_QUEUE)
export class JobsMaintenanceProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobsMaintenance');
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly maintenance: JobsMaintenanceService,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stops.push(keepRepeatable(this.queue, JobName.Reconcile, RECONCILE_EVERY_MS, this.logger));
    this.stops.push(keepRepeatable(this.queue, JobName.Sweep, SWEEP_EVERY_MS, this.logger));
    try {
      await this.maintenance.reconcile(0);
    } catch (e) {
      this.logger.warn(`start-up reconcile skipped: ${(e as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    for (const stop of this.stops) stop();
  }

  @Process(JobName.Reconcile)
  reconcile() {
    return this.maintenance.reconcile(RECONCILE_STALE_SECONDS);
  }

  @Process(JobName.Sweep)
  sweep() {
    return this.maintenance.sweepExpired();
  }
}
