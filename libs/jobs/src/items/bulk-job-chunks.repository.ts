import { Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { ChunkState } from '../domain/job-status';
import { ChunkCopy, type ChunkWriter } from './chunk-copy';
import type { FailureRow } from './failure-row';

export type { FailureRow } from './failure-row';

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

/** A job's stored items: its chunk rows and failure rows, written at accept time, read back after. */
@Injectable()
export class BulkJobChunksRepository {
  constructor(private readonly db: Database) {}

  /** A writer for a new job's chunks; must be used inside a transaction. */
  writer(jobId: string): ChunkWriter {
    if (!this.db.inTransaction) throw new Error('writing chunks needs a transaction');
    return new ChunkCopy(this.db, jobId);
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
