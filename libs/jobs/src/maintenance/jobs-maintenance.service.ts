import { Injectable, Logger } from '@nestjs/common';
import { JobDispatcher } from '../queueing/job-dispatcher.service';
import { JobLifecycleService } from '../records/job-lifecycle.service';
import { JobItemsService } from '../items/job-items.service';
import { JobRecords } from '../records/job-records.service';
import { TenantQuotas } from '../scheduling/tenant-quotas.service';

const STALE_BATCH = 200;
const EXPIRED_BATCH = 50;

/**
 * Postgres is the source of truth, Redis only transport: the reconciler re-creates queue entries for
 * chunks still pending in Postgres (Redis restarted empty, an enqueue lost after commit, Bull gave
 * up) and completes jobs whose last chunk committed but whose completion was lost; the sweeper
 * deletes jobs past their TTL in batches.
 */
@Injectable()
export class JobsMaintenanceService {
  private readonly logger = new Logger('JobsMaintenance');

  constructor(
    private readonly records: JobRecords,
    private readonly items: JobItemsService,
    private readonly lifecycle: JobLifecycleService,
    private readonly dispatcher: JobDispatcher,
    private readonly quotas: TenantQuotas,
  ) {}

  async reconcile(staleSeconds: number): Promise<{ jobs: number; requeued: number }> {
    const stale = await this.records.staleActive(staleSeconds, STALE_BATCH);
    let requeued = 0;
    for (const job of stale) {
      const pending = await this.items.pendingChunkNos(job.id);
      if (!pending.length) {
        if (job.status === 'processing') await this.lifecycle.completeIfDone(job.id);
        continue;
      }
      requeued += await this.dispatcher.ensureJob(job.id, job.atomic, pending, job.traceContext);
    }
    if (requeued)
      this.logger.warn(`re-enqueued ${requeued} lost unit(s) of work for ${stale.length} job(s)`);
    return { jobs: stale.length, requeued };
  }

  /** Deletes expired jobs (failures and chunks in batches first, so no statement runs long). */
  async sweepExpired(): Promise<number> {
    const expired = await this.records.expiredIds(EXPIRED_BATCH);
    for (const id of expired) {
      await this.items.deleteAll(id);
      await this.records.deleteWithEvents(id);
    }
    if (expired.length) this.logger.log(`deleted ${expired.length} expired bulk job(s)`);
    await this.quotas.forgetOldDays();
    return expired.length;
  }
}
