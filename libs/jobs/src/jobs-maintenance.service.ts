import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobDispatcher } from './job-dispatcher.service';

const DELETE_BATCH = 10_000;

/**
 * Postgres is the source of truth, Redis only transport: the reconciler re-creates queue entries for
 * work that is still pending in Postgres (Redis restarted empty, an enqueue lost after commit, Bull
 * gave up), and the sweeper deletes jobs past their TTL in batches.
 */
@Injectable()
export class JobsMaintenanceService {
  private readonly logger = new Logger('JobsMaintenance');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dispatcher: JobDispatcher,
  ) {}

  async reconcile(staleSeconds: number): Promise<{ jobs: number; requeued: number }> {
    const jobs = await this.dataSource.query<{ id: string; atomic: boolean; chunk_size: number }[]>(
      `SELECT id, atomic, chunk_size FROM bulk_jobs
        WHERE status IN ('pending', 'processing') AND updated_at <= now() - make_interval(secs => $1)
        ORDER BY updated_at LIMIT 200`,
      [staleSeconds],
    );
    let requeued = 0;
    for (const job of jobs) {
      const chunks = await this.dataSource.query<{ chunk: number }[]>(
        `SELECT DISTINCT (idx / $2)::int AS chunk FROM bulk_job_items
          WHERE job_id = $1 AND status = 'pending' ORDER BY 1`,
        [job.id, job.chunk_size],
      );
      if (!chunks.length) continue;
      requeued += await this.dispatcher.ensureJob(
        job.id,
        job.atomic,
        chunks.map((c) => c.chunk),
      );
    }
    if (requeued)
      this.logger.warn(`re-enqueued ${requeued} lost unit(s) of work for ${jobs.length} job(s)`);
    return { jobs: jobs.length, requeued };
  }

  /** Deletes expired jobs (items in batches first, so no statement runs long). */
  async sweepExpired(): Promise<number> {
    const expired = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM bulk_jobs WHERE expires_at <= now() ORDER BY expires_at LIMIT 50`,
    );
    for (const { id } of expired) {
      for (;;) {
        const [, n] = await this.dataSource.query<[unknown, number]>(
          `DELETE FROM bulk_job_items WHERE ctid = ANY(ARRAY(SELECT ctid FROM bulk_job_items WHERE job_id = $1 LIMIT $2))`,
          [id, DELETE_BATCH],
        );
        if (n < DELETE_BATCH) break;
      }
      await this.dataSource.query(`DELETE FROM events WHERE job_id = $1`, [id]);
      await this.dataSource.query(`DELETE FROM bulk_jobs WHERE id = $1`, [id]);
    }
    if (expired.length) this.logger.log(`deleted ${expired.length} expired bulk job(s)`);
    return expired.length;
  }
}
