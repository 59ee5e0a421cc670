import { keepRepeatable, MAINTENANCE_QUEUE, RedisPrimaryService } from '@app/queue';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bull';
import { JobName } from '../queueing/job-queues';
import { JobsMaintenanceService } from './jobs-maintenance.service';

const RECONCILE_EVERY_MS = 30_000;
const SWEEP_EVERY_MS = 60_000;
/** Work untouched for this long is checked against the queue. */
const RECONCILE_STALE_SECONDS = 15;
const RECONNECT_RECONCILE_ATTEMPTS = 3;

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
