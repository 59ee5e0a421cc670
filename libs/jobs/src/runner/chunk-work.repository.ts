import { Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { ClaimedChunk } from '../domain/claimed-chunk';
import type { ChunkState } from '../domain/job-status';
import type { FailureRow } from '../items/failure-row';

export type { ClaimedChunk } from '../domain/claimed-chunk';

/** What a chunk commits when it has been applied (or stopped). */
export interface ChunkOutcome {
  chunkNo: number;
  state: ChunkState;
  succeeded: number;
  failed: number;
  /** JSON array of result ids, or null when each succeeded item's id is its own key. */
  resultIds: string | null;
}

/** The statements of applying chunks: claiming and locking them, recording outcomes and failures, rolling back. */
@Injectable()
export class ChunkWorkRepository {
  constructor(private readonly db: Database) {}

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
}
