import { Database } from '@app/database';
import { Injectable, Logger } from '@nestjs/common';
import { JobDispatcher } from './job-dispatcher.service';
import { JobLifecycleService } from './job-lifecycle.service';
import { BulkJobChunksRepository } from './repositories/bulk-job-chunks.repository';
import { BulkJobsRepository } from './repositories/bulk-jobs.repository';
import { JobEventsRepository } from './repositories/job-events.repository';
import { TenantQuotasRepository } from './repositories/tenant-quotas.repository';

const DELETE_BATCH = 10_000;
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
    private readonly jobs: BulkJobsRepository,
    private readonly chunks: BulkJobChunksRepository,
    private readonly events: JobEventsRepository,
    private readonly lifecycle: JobLifecycleService,
    private readonly dispatcher: JobDispatcher,
    private readonly db: Database,
    private readonly quotas: TenantQuotasRepository,
  ) {}

  async reconcile(staleSeconds: number): Promise<{ jobs: number; requeued: number }> {
    const stale = await this.jobs.staleActive(staleSeconds, STALE_BATCH);
    let requeued = 0;
    for (const job of stale) {
      const pending = await this.chunks.pendingChunkNos(job.id);
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
    const expired = await this.jobs.expiredIds(EXPIRED_BATCH);
    for (const id of expired) {
      while ((await this.chunks.deleteBatch(id, DELETE_BATCH)) > 0);
      await this.db.transaction(async () => {
        await this.events.deleteForJob(id);
        await this.jobs.delete(id);
      });
    }
    if (expired.length) this.logger.log(`deleted ${expired.length} expired bulk job(s)`);
    await this.quotas.deleteOldDays();
    return expired.length;
  }
}
