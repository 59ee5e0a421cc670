import type { TraceCarrier } from '@app/telemetry';
import { Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import { once } from 'node:events';
import type { ChunkSink, NewChunk } from '../ingest/chunk-builder';
import type { ChunkState } from '../job-status';
import type { JobPriority, JobStatus } from '../jobs.constants';
import { RUNNING_SLOTS_SQL, takeSlotSql } from '../scheduling/tenant-slots';

/** A chunk as a worker claims it, with what it needs of its job. */
export interface ClaimedChunk {
  chunkNo: number;
  state: ChunkState;
  items: string;
  duplicates: number[] | null;
  tenantId: string;
  operation: string;
  jobStatus: JobStatus;
  chunkSize: number;
  totalItems: number;
  sourceFormat: string;
}

/** A chunk claimed by the fair scheduler, with the tenant slot it holds (null: none was free). */
export interface ClaimedNextChunk extends ClaimedChunk {
  traceContext: TraceCarrier | null;
  slot: number | null;
}

/** An unfinished, non-atomic job with chunks still pending, as the fair scheduler weighs it. */
export interface SchedulableJob {
  id: string;
  tenantId: string;
  priority: JobPriority;
  createdAt: Date;
  /** Chunks of this job's tenant being applied right now, across every worker. */
  tenantRunning: number;
}

/** Per tenant: chunks waiting for a worker and chunks being applied. */
export interface TenantLoad {
  tenantId: string;
  waiting: number;
  running: number;
}

/** What a chunk commits when it has been applied (or stopped). */
export interface ChunkOutcome {
  chunkNo: number;
  state: ChunkState;
  succeeded: number;
  failed: number;
  /** JSON array of result ids, or null when each succeeded item's id is its own key. */
  resultIds: string | null;
}

export interface FailureRow {
  idx: number;
  itemId: string | null;
  ref: string | null;
  code: string;
  message: string;
}

/** A stored chunk as readers (items list, results) see it. */
export interface StoredChunk {
  chunkNo: number;
  state: ChunkState;
  items: string;
  resultIds: string | null;
}

interface FailureDbRow {
  idx: number;
  item_id: string | null;
  ref: string | null;
  code: string;
  message: string;
}

const toFailure = (r: FailureDbRow): FailureRow => ({
  idx: r.idx,
  itemId: r.item_id,
  ref: r.ref,
  code: r.code,
  message: r.message,
});

/** COPY text format: backslash, tab, newline and carriage return must be escaped. */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/**
 * Streams chunk rows into `bulk_job_chunks` with one `COPY … FROM STDIN` inside the caller's
 * transaction. Postgres stores a chunk while the next one is parsed; back-pressure bounds memory.
 */
class ChunkCopy implements ChunkSink {
  private stream?: ReturnType<Database['copyFrom']>;
  private finished?: Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly jobId: string,
  ) {}

  async write(chunk: NewChunk): Promise<void> {
    const stream = this.stream ?? this.open();
    const dups = chunk.duplicates.length ? `{${chunk.duplicates.join(',')}}` : '\\N';
    const line = `${this.jobId}\t${chunk.chunkNo}\t${chunk.itemCount}\t${copyText(chunk.items)}\t${dups}\n`;
    if (!stream.write(line)) await Promise.race([once(stream, 'drain'), this.finished]);
  }

  /** Ends the COPY; the rows become visible with the surrounding transaction's commit. */
  async close(): Promise<void> {
    if (!this.stream) return;
    this.stream.end();
    await this.finished;
  }

  /** Cancels the COPY (CopyFail) so the transaction can roll back cleanly. */
  async abort(error: Error): Promise<void> {
    if (!this.stream) return;
    this.stream.destroy(error);
    await this.finished?.catch(() => undefined);
  }

  private open(): ReturnType<Database['copyFrom']> {
    const stream = this.db.copyFrom(
      'COPY bulk_job_chunks (job_id, chunk_no, item_count, items, duplicates) FROM STDIN',
    );
    this.finished = new Promise<void>((resolve, reject) => {
      stream.on('finish', () => resolve());
      stream.on('error', reject);
    });
    this.finished.catch(() => undefined);
    this.stream = stream;
    return stream;
  }
}

export type ChunkWriter = ChunkSink & { close(): Promise<void>; abort(e: Error): Promise<void> };

/** Every statement over `bulk_job_chunks` and `bulk_job_failures`. */
@Injectable()
export class BulkJobChunksRepository {
  constructor(private readonly db: Database) {}

  /** A writer for a new job's chunks; must be used inside a transaction. */
  writer(jobId: string): ChunkWriter {
    if (!this.db.inTransaction) throw new Error('writing chunks needs a transaction');
    return new ChunkCopy(this.db, jobId);
  }

  /**
   * Locks one chunk for the calling transaction and reads it with its job's head. A chunk being
   * applied by another worker (or cancelled right now) is waited for, then seen in its new state.
   */
  async claim(jobId: string, chunkNo: number): Promise<ClaimedChunk | null> {
    this.db.requireTransaction('claiming a chunk');
    const rows = await this.db.rows<ClaimedChunk>(
      `SELECT c.chunk_no AS "chunkNo", c.state, c.items, c.duplicates, j.tenant_id AS "tenantId",
              j.operation, j.status AS "jobStatus", j.chunk_size AS "chunkSize",
              j.total_items AS "totalItems", j.source_format AS "sourceFormat"
         FROM bulk_job_chunks c JOIN bulk_jobs j ON j.id = c.job_id
        WHERE c.job_id = $1 AND c.chunk_no = $2
          FOR UPDATE OF c`,
      [jobId, chunkNo],
    );
    return rows[0] ?? null;
  }

  /**
   * What the fair scheduler chooses from: every unfinished, non-atomic job with a pending chunk, with
   * its tenant's running chunks (slots held, counted by Postgres across all workers).
   */
  async schedulable(): Promise<SchedulableJob[]> {
    return this.db.rows<SchedulableJob>(
      `WITH running AS (${RUNNING_SLOTS_SQL})
       SELECT j.id, j.tenant_id AS "tenantId", j.priority, j.created_at AS "createdAt",
              COALESCE(r.running, 0) AS "tenantRunning"
         FROM bulk_jobs j LEFT JOIN running r ON r.classid = hashtext(j.tenant_id)::oid
        WHERE j.status IN ('pending', 'processing') AND NOT j.atomic
          AND EXISTS (SELECT 1 FROM bulk_job_chunks c WHERE c.job_id = j.id AND c.state = 'pending')`,
      [],
    );
  }

  /**
   * Locks the job's first pending chunk that no other worker holds, and takes one of its tenant's
   * `maxSlots` slots for the calling transaction. Null when every pending chunk is held; `slot` null
   * when the tenant had no slot left (the caller rolls back, which lets the chunk go again).
   */
  async claimNext(jobId: string, maxSlots: number): Promise<ClaimedNextChunk | null> {
    this.db.requireTransaction('claiming a chunk');
    const rows = await this.db.rows<ClaimedNextChunk>(
      `WITH c AS MATERIALIZED (
         SELECT chunk_no, state, items, duplicates FROM bulk_job_chunks
          WHERE job_id = $1 AND state = 'pending'
          ORDER BY chunk_no LIMIT 1 FOR UPDATE SKIP LOCKED)
       SELECT c.chunk_no AS "chunkNo", c.state, c.items, c.duplicates, j.tenant_id AS "tenantId",
              j.operation, j.status AS "jobStatus", j.chunk_size AS "chunkSize",
              j.total_items AS "totalItems", j.source_format AS "sourceFormat",
              j.trace_context AS "traceContext", ${takeSlotSql('j.tenant_id', '$2')} AS slot
         FROM c JOIN bulk_jobs j ON j.id = $1`,
      [jobId, maxSlots],
    );
    return rows[0] ?? null;
  }

  /** Waiting and running chunks per tenant with unfinished jobs (for /metrics). */
  async tenantLoad(): Promise<TenantLoad[]> {
    return this.db.rows<TenantLoad>(
      `WITH running AS (${RUNNING_SLOTS_SQL}),
            waiting AS (
              SELECT j.tenant_id, count(c.*)::int AS waiting
                FROM bulk_jobs j JOIN bulk_job_chunks c ON c.job_id = j.id AND c.state = 'pending'
               WHERE j.status IN ('pending', 'processing')
               GROUP BY j.tenant_id)
       SELECT w.tenant_id AS "tenantId", COALESCE(r.running, 0) AS running,
              greatest(w.waiting - COALESCE(r.running, 0), 0) AS waiting
         FROM waiting w LEFT JOIN running r ON r.classid = hashtext(w.tenant_id)::oid`,
      [],
    );
  }

  /** Locks every pending chunk of a job, in order (atomic jobs apply them in one transaction). */
  async lockPending(jobId: string): Promise<number[]> {
    this.db.requireTransaction('locking pending chunks');
    const rows = await this.db.rows<{ chunk_no: number }>(
      `SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending'
        ORDER BY chunk_no FOR UPDATE`,
      [jobId],
    );
    return rows.map((r) => r.chunk_no);
  }

  async readItems(
    jobId: string,
    chunkNo: number,
  ): Promise<{ items: string; duplicates: number[] | null } | undefined> {
    const [row] = await this.db.rows<{ items: string; duplicates: number[] | null }>(
      `SELECT items, duplicates FROM bulk_job_chunks WHERE job_id = $1 AND chunk_no = $2`,
      [jobId, chunkNo],
    );
    return row;
  }

  /** Records applied (or stopped) chunks: state, counts and result ids, in one statement. */
  async complete(jobId: string, outcomes: ChunkOutcome[]): Promise<void> {
    if (!outcomes.length) return;
    await this.db.rows(
      `UPDATE bulk_job_chunks c
          SET state = u.state, succeeded = u.succeeded, failed = u.failed, result_ids = u.result_ids,
              finished_at = now()
         FROM unnest($2::int[], $3::text[], $4::int[], $5::int[], $6::text[])
              AS u(chunk_no, state, succeeded, failed, result_ids)
        WHERE c.job_id = $1 AND c.chunk_no = u.chunk_no`,
      [
        jobId,
        outcomes.map((o) => o.chunkNo),
        outcomes.map((o) => o.state),
        outcomes.map((o) => o.succeeded),
        outcomes.map((o) => o.failed),
        outcomes.map((o) => o.resultIds),
      ],
    );
  }

  async insertFailures(jobId: string, failures: FailureRow[]): Promise<void> {
    if (!failures.length) return;
    await this.db.rows(
      `INSERT INTO bulk_job_failures (job_id, idx, item_id, ref, code, message)
       SELECT $1, u.idx, u.item_id, u.ref, u.code, u.message
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(idx, item_id, ref, code, message)`,
      [
        jobId,
        failures.map((f) => f.idx),
        failures.map((f) => f.itemId),
        failures.map((f) => f.ref),
        failures.map((f) => f.code),
        failures.map((f) => f.message),
      ],
    );
  }

  /**
   * Cancels every chunk no worker holds, at once: chunks being applied right now are skipped (they
   * finish); every other pending chunk is `cancelled` and locked until the caller commits, so no
   * worker can start it.
   */
  async cancelIdle(jobId: string): Promise<number> {
    this.db.requireTransaction('cancelling chunks');
    const n = await this.db.count(
      `UPDATE bulk_job_chunks SET state = 'cancelled', finished_at = now()
        WHERE job_id = $1 AND chunk_no IN (
          SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending'
             FOR UPDATE SKIP LOCKED)`,
      [jobId],
    );
    return n;
  }

  /** Waits for the chunks that workers are applying right now (at most one chunk time). */
  async awaitRunning(jobId: string): Promise<void> {
    this.db.requireTransaction('waiting for running chunks');
    await this.db.rows(
      `SELECT 1 FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending' FOR UPDATE`,
      [jobId],
    );
  }

  /** Atomic rollback: every chunk not applied becomes `rolled_back`, with the failures it holds. */
  async rollBack(jobId: string, failedByChunk: Map<number, number>): Promise<void> {
    const nos = [...failedByChunk.keys()];
    await this.db.rows(
      `UPDATE bulk_job_chunks c SET state = 'rolled_back', succeeded = 0, finished_at = now(),
              failed = COALESCE((SELECT u.failed FROM unnest($2::int[], $3::int[]) AS u(chunk_no, failed)
                                  WHERE u.chunk_no = c.chunk_no), 0)
        WHERE c.job_id = $1 AND c.state = 'pending'`,
      [jobId, nos, nos.map((n) => failedByChunk.get(n))],
    );
  }

  async anyPending(jobId: string): Promise<boolean> {
    const [row] = await this.db.rows<{ pending: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending') AS pending`,
      [jobId],
    );
    return row.pending;
  }

  async pendingChunkNos(jobId: string): Promise<number[]> {
    const rows = await this.db.rows<{ chunk_no: number }>(
      `SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending' ORDER BY chunk_no`,
      [jobId],
    );
    return rows.map((r) => r.chunk_no);
  }

  /** Up to `limit` chunks from `fromChunk` on, in order, optionally only in some states. */
  async readFrom(
    jobId: string,
    fromChunk: number,
    limit: number,
    states?: readonly ChunkState[],
  ): Promise<StoredChunk[]> {
    return this.db.rows<StoredChunk>(
      `SELECT chunk_no AS "chunkNo", state, items, result_ids AS "resultIds" FROM bulk_job_chunks
        WHERE job_id = $1 AND chunk_no >= $2 AND ($4::text[] IS NULL OR state = ANY($4::text[]))
        ORDER BY chunk_no LIMIT $3`,
      [jobId, fromChunk, limit, states ?? null],
    );
  }

  async failuresBetween(jobId: string, fromIdx: number, toIdx: number): Promise<FailureRow[]> {
    const rows = await this.db.rows<FailureDbRow>(
      `SELECT idx, item_id, ref, code, message FROM bulk_job_failures
        WHERE job_id = $1 AND idx BETWEEN $2 AND $3 ORDER BY idx`,
      [jobId, fromIdx, toIdx],
    );
    return rows.map(toFailure);
  }

  /** Failed items in index order after `afterIdx` (keyset on the primary key). */
  async failuresAfter(jobId: string, afterIdx: number, limit: number): Promise<FailureRow[]> {
    const rows = await this.db.rows<FailureDbRow>(
      `SELECT idx, item_id, ref, code, message FROM bulk_job_failures
        WHERE job_id = $1 AND idx > $2 ORDER BY idx LIMIT $3`,
      [jobId, afterIdx, limit],
    );
    return rows.map(toFailure);
  }

  /** Deletes a job's failures and chunks in bounded batches, so no statement runs long. */
  async deleteBatch(jobId: string, batch: number): Promise<number> {
    const failures = await this.db.count(
      `DELETE FROM bulk_job_failures WHERE job_id = $1 AND idx IN (
         SELECT idx FROM bulk_job_failures WHERE job_id = $1 LIMIT $2)`,
      [jobId, batch],
    );
    if (failures) return failures;
    const chunks = await this.db.count(
      `DELETE FROM bulk_job_chunks WHERE job_id = $1 AND chunk_no IN (
         SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 LIMIT $2)`,
      [jobId, Math.max(1, Math.floor(batch / 100))],
    );
    return chunks;
  }
}
