import { Database } from '@app/database';
import type { Page, PageRequest } from '@app/pagination';
import { buildPositionalKeyset, mapPage, newestFirstKey, PaginationService } from '@app/pagination';
import type { TraceCarrier } from '@app/telemetry';
import { Injectable } from '@nestjs/common';
import { BulkJob } from '../domain/entities/bulk-job.entity';
import { movableFrom } from '../domain/job-status';
import { JOB_PRIORITIES, type JobPriority, type JobStatus } from '../domain/jobs.constants';

/** The jobs list's keyset: newest first. Owned here because the alias `j` is this file's. */
export const BULK_JOBS_PAGE_KEY = newestFirstKey('j');

export interface NewJob {
  id: string;
  tenantId: string;
  operation: string;
  atomic: boolean;
  /** Default `normal`. */
  priority?: JobPriority;
  sourceFormat: string;
  chunkSize: number;
  webhookUrl: string | null;
  retryOf: string | null;
  /** Known up front for a JSON array; a streamed upload's is set once it has been read. */
  totalItems?: number;
  traceContext?: TraceCarrier | null;
}

export interface JobCounters {
  processed: number;
  succeeded: number;
  failed: number;
}

export interface FinishOptions {
  error?: { code: string; message: string };
  /** Final counters; by default the sum of the job's chunks. */
  counters?: JobCounters;
  /** Finish only if no chunk is still pending (the "was this the last chunk?" check). */
  whenNoPendingChunks?: boolean;
}

export interface StaleJob {
  id: string;
  atomic: boolean;
  status: JobStatus;
  traceContext: TraceCarrier | null;
}

export interface OperationStats {
  operation: string;
  status: JobStatus;
  jobs: number;
  succeeded: number;
  failed: number;
  unprocessed: number;
}

export interface DurationStats {
  operation: string;
  p50: number;
  p95: number;
  max: number;
}

const NOT_EXPIRED = '(j.expires_at IS NULL OR j.expires_at > now())';
const ACTIVE = `('pending', 'processing')`;

/**
 * A running job's counters are the sum of its chunks' (each chunk commits its own share, so chunks of
 * one job never queue on one counter row); a finished job's are frozen into its row when it ends.
 */
/** 1, 2, … in JOB_PRIORITIES order (high first): the order of a tenant's own jobs. */
const PRIORITY_ARRAY = `ARRAY[${JOB_PRIORITIES.map((p) => `'${p}'`).join(', ')}]`;
const RANK = (alias: string) => `array_position(${PRIORITY_ARRAY}, ${alias}.priority)`;
/**
 * While pending: 1 + the tenant's pending jobs that start before this one (higher priority, or the
 * same and older). Other tenants' jobs never count: the workers take turns between tenants.
 */
const QUEUE_POSITION = `CASE WHEN j.status = 'pending' THEN (
  SELECT count(*)::int + 1 FROM bulk_jobs o
   WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
     AND (${RANK('o')} < ${RANK('j')}
          OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END`;
const JOB_COLUMNS = `j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
  j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
  j.completed_at, j.expires_at, ${QUEUE_POSITION} AS queue_position,
  CASE WHEN j.status IN ${ACTIVE} THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
  CASE WHEN j.status IN ${ACTIVE} THEN live.succeeded ELSE j.succeeded END AS succeeded,
  CASE WHEN j.status IN ${ACTIVE} THEN live.failed ELSE j.failed END AS failed`;
const LIVE_COUNTERS = `LEFT JOIN LATERAL (
  SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
    FROM bulk_job_chunks c WHERE j.status IN ${ACTIVE} AND c.job_id = j.id) live ON true`;

interface JobRow {
  id: string;
  tenant_id: string;
  operation: string;
  status: JobStatus;
  atomic: boolean;
  priority: JobPriority;
  queue_position: number | null;
  source_format: string;
  chunk_size: number;
  total_items: number;
  processed_items: number;
  succeeded: number;
  failed: number;
  webhook_url: string | null;
  retry_of: string | null;
  trace_context: TraceCarrier | null;
  error: { code: string; message: string } | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  expires_at: Date | null;
}

function toJob(r: JobRow): BulkJob {
  return Object.assign(new BulkJob(), {
    id: r.id,
    tenantId: r.tenant_id,
    operation: r.operation,
    status: r.status,
    atomic: r.atomic,
    priority: r.priority,
    queuePosition: r.queue_position,
    sourceFormat: r.source_format,
    chunkSize: r.chunk_size,
    totalItems: r.total_items,
    processedItems: Number(r.processed_items),
    succeeded: Number(r.succeeded),
    failed: Number(r.failed),
    webhookUrl: r.webhook_url,
    retryOf: r.retry_of,
    traceContext: r.trace_context,
    error: r.error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    expiresAt: r.expires_at,
  });
}

/** Every statement over `bulk_jobs`; rows come back as typed `BulkJob`s with live counters. */
@Injectable()
export class BulkJobsRepository {
  constructor(
    private readonly db: Database,
    private readonly pagination: PaginationService,
  ) {}

  /** Runs a write ending in `RETURNING <the job row>` and reads the job back with its counters. */
  private async returning(sql: string, params: unknown[]): Promise<BulkJob | null> {
    const rows = await this.db.rows<JobRow>(
      `WITH t AS (${sql}) SELECT ${JOB_COLUMNS} FROM t j ${LIVE_COUNTERS}`,
      params,
    );
    return rows.length ? toJob(rows[0]) : null;
  }

  async insert(job: NewJob): Promise<BulkJob> {
    const row = await this.returning(
      `INSERT INTO bulk_jobs (id, tenant_id, operation, status, atomic, source_format, chunk_size, total_items, webhook_url, retry_of, trace_context, priority)
       VALUES ($1, $2, $3, 'pending', $4, $5, $6, $10, $7, $8, $9, $11) RETURNING *`,
      [
        job.id,
        job.tenantId,
        job.operation,
        job.atomic,
        job.sourceFormat,
        job.chunkSize,
        job.webhookUrl,
        job.retryOf,
        job.traceContext ? JSON.stringify(job.traceContext) : null,
        job.totalItems ?? 0,
        job.priority ?? 'normal',
      ],
    );
    return row!;
  }

  async setTotal(id: string, total: number): Promise<BulkJob> {
    const row = await this.returning(
      `UPDATE bulk_jobs SET total_items = $2 WHERE id = $1 RETURNING *`,
      [id, total],
    );
    return row!;
  }

  /** The tenant's job, unless it has expired (then it is as good as deleted). */
  async findForTenant(tenantId: string, id: string): Promise<BulkJob | null> {
    const rows = await this.db.rows<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM bulk_jobs j ${LIVE_COUNTERS}
        WHERE j.tenant_id = $1 AND j.id = $2 AND ${NOT_EXPIRED}`,
      [tenantId, id],
    );
    return rows.length ? toJob(rows[0]) : null;
  }

  async findById(id: string): Promise<BulkJob | null> {
    const rows = await this.db.rows<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM bulk_jobs j ${LIVE_COUNTERS} WHERE j.id = $1`,
      [id],
    );
    return rows.length ? toJob(rows[0]) : null;
  }

  async page(
    tenantId: string,
    filters: { status?: JobStatus; operation?: string },
    page: PageRequest,
  ): Promise<Page<BulkJob>> {
    const params: unknown[] = [tenantId];
    const where = ['j.tenant_id = $1', NOT_EXPIRED];
    if (filters.status) where.push(`j.status = $${params.push(filters.status)}`);
    if (filters.operation) where.push(`j.operation = $${params.push(filters.operation)}`);
    const ks = buildPositionalKeyset(page.key, page.direction, page.after, params.length + 1);
    if (ks.where) where.push(ks.where);
    params.push(...ks.params);
    // LIMIT stops the index scan early, so the live counters are summed for this page's jobs only.
    const rows = await this.db.rows<JobRow & Record<string, unknown>>(
      `SELECT ${JOB_COLUMNS}, ${ks.selects} FROM bulk_jobs j ${LIVE_COUNTERS}
        WHERE ${where.join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.push(page.limit + 1)}`,
      params,
    );
    const result = this.pagination.pageFromRows(rows, page);
    return mapPage(result, toJob);
  }

  /** The current status of each of these jobs that still exists. */
  async statuses(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    const rows = await this.db.rows<{ id: string; status: JobStatus }>(
      `SELECT id, status FROM bulk_jobs WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** pending → processing; true if this call made the move (its own statement: readers see it at once). */
  async markProcessing(id: string): Promise<boolean> {
    const moved = await this.db.count(
      `UPDATE bulk_jobs SET status = 'processing', started_at = now(), updated_at = now()
        WHERE id = $1 AND status = ANY($2::text[])`,
      [id, movableFrom('processing')],
    );
    return moved > 0;
  }

  /**
   * Ends a job: the one statement that moves a job to a terminal status, guarded by the status machine,
   * so of two paths racing to end one job exactly one wins. Returns the ended job, or null if the job
   * could not move (already ended, or chunks still pending with `whenNoPendingChunks`).
   */
  async finish(
    id: string,
    to: JobStatus,
    ttlSeconds: number,
    options: FinishOptions = {},
  ): Promise<BulkJob | null> {
    const c = options.counters;
    return this.returning(
      `UPDATE bulk_jobs j SET status = $2, error = $3, completed_at = now(), updated_at = now(),
              expires_at = now() + make_interval(secs => $4),
              processed_items = COALESCE($5, agg.succeeded + agg.failed),
              succeeded = COALESCE($6, agg.succeeded), failed = COALESCE($7, agg.failed)
         FROM (SELECT COALESCE(sum(succeeded), 0)::int AS succeeded, COALESCE(sum(failed), 0)::int AS failed
                 FROM bulk_job_chunks WHERE job_id = $1) agg
        WHERE j.id = $1 AND j.status = ANY($8::text[])
          AND NOT ($9 AND EXISTS (SELECT 1 FROM bulk_job_chunks p WHERE p.job_id = $1 AND p.state = 'pending'))
        RETURNING j.*`,
      [
        id,
        to,
        options.error ? JSON.stringify(options.error) : null,
        ttlSeconds,
        c?.processed ?? null,
        c?.succeeded ?? null,
        c?.failed ?? null,
        movableFrom(to),
        options.whenNoPendingChunks ?? false,
      ],
    );
  }

  /** Unfinished jobs no chunk has moved for `staleSeconds`: candidates for the reconciler. */
  async staleActive(staleSeconds: number, limit: number): Promise<StaleJob[]> {
    return this.db.rows<StaleJob>(
      `SELECT j.id, j.atomic, j.status, j.trace_context AS "traceContext" FROM bulk_jobs j
        WHERE j.status IN ${ACTIVE} AND j.updated_at <= now() - make_interval(secs => $1)
          AND NOT EXISTS (SELECT 1 FROM bulk_job_chunks c
                           WHERE c.job_id = j.id AND c.finished_at > now() - make_interval(secs => $1))
        ORDER BY j.updated_at LIMIT $2`,
      [staleSeconds, limit],
    );
  }

  async expiredIds(limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM bulk_jobs WHERE expires_at <= now() ORDER BY expires_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }

  /** Deletes the job row; its chunks and failures go with it (ON DELETE CASCADE). */
  async delete(id: string, tenantId?: string): Promise<void> {
    await this.db.rows(
      `DELETE FROM bulk_jobs WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)`,
      [id, tenantId ?? null],
    );
  }

  async statsByOperation(): Promise<OperationStats[]> {
    const rows = await this.db.rows<OperationStats & Record<string, unknown>>(
      `SELECT x.operation, x.status, count(*)::int AS jobs, sum(x.succeeded)::bigint AS succeeded,
              sum(x.failed)::bigint AS failed, sum(x.total_items - x.processed_items)::bigint AS unprocessed
         FROM (SELECT ${JOB_COLUMNS} FROM bulk_jobs j ${LIVE_COUNTERS}) x
        GROUP BY x.operation, x.status`,
      [],
    );
    return rows.map((r) => ({
      operation: r.operation,
      status: r.status,
      jobs: Number(r.jobs),
      succeeded: Number(r.succeeded),
      failed: Number(r.failed),
      unprocessed: Number(r.unprocessed),
    }));
  }

  async durationsLastHour(): Promise<DurationStats[]> {
    const rows = await this.db.rows<DurationStats>(
      `SELECT operation,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at)) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at)) AS p95,
              max(extract(epoch FROM completed_at - started_at)) AS max
         FROM bulk_jobs WHERE completed_at > now() - interval '1 hour' AND started_at IS NOT NULL
        GROUP BY operation`,
      [],
    );
    return rows.map((d) => ({
      operation: d.operation,
      p50: Number(d.p50),
      p95: Number(d.p95),
      max: Number(d.max),
    }));
  }
}
