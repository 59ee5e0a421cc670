import { keepRepeatable, MAINTENANCE_QUEUE, RedisPrimaryService } from '@app/queue';
import { runInTracedWork } from '@app/telemetry';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bull';
import { JobDispatcher } from './job-dispatcher.service';
import { JobRunner } from './job-runner.service';
import { JobsMaintenanceService } from './jobs-maintenance.service';
import {
  BULK_QUEUE,
  JobName,
  QUEUE_SETTINGS,
  WEBHOOK_QUEUE,
  type BulkQueueJob,
  type ChunkPayload,
  type NamedJob,
} from './jobs.constants';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';

const RECONCILE_EVERY_MS = 30_000;
const SWEEP_EVERY_MS = 60_000;
/** Work untouched for this long is checked against the queue. */
const RECONCILE_STALE_SECONDS = 15;
const RECONNECT_RECONCILE_ATTEMPTS = 3;

/**
 * Applies chunks and atomic jobs; delegates everything to the runner. One handler for every job name:
 * Bull adds up the concurrency of named handlers, and WORKER_CONCURRENCY must be the real ceiling.
 */
@Processor(BULK_QUEUE)
export class BulkJobsProcessor {
  constructor(
    private readonly runner: JobRunner,
    private readonly dispatcher: JobDispatcher,
  ) {}

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
        return this.turn(job.data, queue);
    }
  }

  /**
   * A turn applies whichever chunk is fairest. When every tenant with waiting chunks is at its limit,
   * the turn keeps this worker loop and asks again every `blockedRetryMs` (a slot frees up, or another
   * tenant's work arrives): handing it back at once would send the loop through every other queued
   * turn of that tenant, one claim each, over and over. After `blockedHoldMs` it goes back to the
   * queue, so that a draining worker is not held up for long.
   */
  private async turn(data: ChunkPayload, attributes: Record<string, string>) {
    const { blockedRetryMs, blockedHoldMs } = QUEUE_SETTINGS[BULK_QUEUE];
    const until = Date.now() + blockedHoldMs;
    for (;;) {
      const result = await this.runner.processNext(attributes, data.jobId);
      if (result.outcome !== 'blocked') return result;
      if (Date.now() + blockedRetryMs > until) {
        await this.dispatcher.requeueTurn(data);
        return result;
      }
      await new Promise((r) => setTimeout(r, blockedRetryMs));
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

/**
 * Reconciler and TTL sweeper, as repeatable jobs kept registered, plus one reconcile pass at start-up
 * and another whenever Redis comes back (restarted empty, or a failover to a replica that missed the
 * last writes): lost work is re-enqueued at once instead of at the next periodic pass.
 */
@Processor(MAINTENANCE_QUEUE)
export class JobsMaintenanceProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobsMaintenance');
  private readonly stops: (() => void)[] = [];
  private reconciling = false;

  constructor(
    private readonly maintenance: JobsMaintenanceService,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly primary: RedisPrimaryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stops.push(keepRepeatable(this.queue, JobName.Reconcile, RECONCILE_EVERY_MS, this.logger));
    this.stops.push(keepRepeatable(this.queue, JobName.Sweep, SWEEP_EVERY_MS, this.logger));
    this.primary.onReconnect((address, changed) => {
      this.logger.log(`Redis ${changed ? `primary is now ${address}` : 'is back'}: reconciling`);
      void this.reconcileNow('reconnect', RECONNECT_RECONCILE_ATTEMPTS);
    });
    await this.reconcileNow('start-up');
  }

  /** A full pass (every unfinished job, however recent): re-adding queued work is a no-op. */
  private async reconcileNow(reason: string, attempts = 1): Promise<void> {
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      // The other Redis connections may still be reconnecting: try a few times before leaving it to
      // the periodic pass.
      for (let attempt = 1; ; attempt++) {
        try {
          await this.maintenance.reconcile(0);
          return;
        } catch (e) {
          if (attempt >= attempts) {
            this.logger.warn(`${reason} reconcile skipped: ${(e as Error).message}`);
            return;
          }
          await new Promise((r) => setTimeout(r, 2000).unref());
        }
      }
    } finally {
      this.reconciling = false;
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
