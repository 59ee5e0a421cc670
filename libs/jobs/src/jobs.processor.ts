import { MAINTENANCE_QUEUE } from '@app/queue';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { JobRunner } from './job-runner.service';
import { JobsMaintenanceService } from './jobs-maintenance.service';
import {
  BULK_QUEUE,
  JobName,
  QUEUE_SETTINGS,
  WEBHOOK_QUEUE,
  type AtomicPayload,
  type ChunkPayload,
  type WebhookPayload,
} from './jobs.constants';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';

const RECONCILE_EVERY_MS = 30_000;
const SWEEP_EVERY_MS = 60_000;
/** Work untouched for this long is checked against the queue. */
const RECONCILE_STALE_SECONDS = 30;

/** Applies chunks; delegates everything to the runner. */
@Processor(BULK_QUEUE)
export class BulkJobsProcessor {
  constructor(private readonly runner: JobRunner) {}

  @Process({ name: JobName.Chunk, concurrency: QUEUE_SETTINGS[BULK_QUEUE].concurrency() })
  applyChunk(job: Job<ChunkPayload>) {
    return this.runner.processChunk(job.data.jobId, job.data.chunk);
  }

  @Process({ name: JobName.Atomic, concurrency: 1 })
  applyAtomic(job: Job<AtomicPayload>) {
    return this.runner.processAtomic(job.data.jobId);
  }
}

@Processor(WEBHOOK_QUEUE)
export class WebhooksProcessor {
  constructor(private readonly delivery: WebhookDeliveryService) {}

  @Process({ name: JobName.Deliver, concurrency: QUEUE_SETTINGS[WEBHOOK_QUEUE].concurrency() })
  deliver(job: Job<WebhookPayload>) {
    const attempt = job.attemptsMade + 1;
    return this.delivery.deliver(job.data.eventId, attempt, attempt >= (job.opts.attempts ?? 1));
  }
}

/** Reconciler and TTL sweeper, as repeatable jobs plus one reconcile pass at start-up. */
@Processor(MAINTENANCE_QUEUE)
export class JobsMaintenanceProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger('JobsMaintenance');

  constructor(
    private readonly maintenance: JobsMaintenanceService,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.add(
        JobName.Reconcile,
        {},
        { repeat: { every: RECONCILE_EVERY_MS }, removeOnComplete: true, removeOnFail: 100 },
      );
      await this.queue.add(
        JobName.Sweep,
        {},
        { repeat: { every: SWEEP_EVERY_MS }, removeOnComplete: true, removeOnFail: 100 },
      );
      await this.maintenance.reconcile(0);
    } catch (e) {
      this.logger.warn(`start-up reconcile skipped: ${(e as Error).message}`);
    }
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
