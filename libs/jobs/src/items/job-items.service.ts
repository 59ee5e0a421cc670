import { Injectable } from '@nestjs/common';
import type { Page } from '@app/pagination';
import type { ItemStatus } from '../domain/jobs.constants';
import { JobError } from '../domain/jobs.errors';
import { OperationRegistry } from '../domain/operations/operation.registry';
import type { ChunkWriter } from './chunk-copy';
import {
  BulkJobChunksRepository,
  type FailureRow,
  type StoredChunk,
} from './bulk-job-chunks.repository';
import type { ResultRow } from './results-writer';
import { CHUNK_STATES_FOR, expandChunk, failureToRow, mayHoldFailures } from './item-view';

/** What item reads need to know of their job. */
export interface ItemJob {
  id: string;
  operation: string;
  chunkSize: number;
}

/** Chunks read per query: a page of ≤ 100 items mostly fits in one; results stream in bigger steps. */
const PAGE_CHUNKS = 2;
const STREAM_CHUNKS = 8;
const FAILURE_BATCH = 5000;
const DELETE_BATCH = 10_000;

/**
 * Reads items back out of chunk storage: a job's items in index order, optionally by status, for
 * `/items` pages, `/results` streams and retries. Failed items come from their own rows; every other
 * item's status is its chunk's.
 */
@Injectable()
export class JobItemsService {
  constructor(
    private readonly chunks: BulkJobChunksRepository,
    private readonly registry: OperationRegistry,
  ) {}

  /** A writer for a new job's chunks, inside the job's transaction (one COPY). */
  writer(jobId: string): ChunkWriter {
    return this.chunks.writer(jobId);
  }

  /** A chunk's items as submitted (JSON array text) with its duplicates; undefined if gone. */
  chunkItems(jobId: string, chunkNo: number) {
    return this.chunks.readItems(jobId, chunkNo);
  }

  anyPending(jobId: string): Promise<boolean> {
    return this.chunks.anyPending(jobId);
  }

  pendingChunkNos(jobId: string): Promise<number[]> {
    return this.chunks.pendingChunkNos(jobId);
  }

  /**
   * Stops the job's chunks inside the caller's transaction: every chunk no worker holds is
   * cancelled at once, then the ones being applied are waited for (at most one chunk time).
   */
  async stopPending(jobId: string): Promise<void> {
    await this.chunks.cancelIdle(jobId);
    await this.chunks.awaitRunning(jobId);
  }

  /** Deletes a job's failures and chunks in bounded batches, so no statement runs long. */
  async deleteAll(jobId: string): Promise<void> {
    while ((await this.chunks.deleteBatch(jobId, DELETE_BATCH)) > 0);
  }

  /** One keyset page of items after index `after`. */
  async page(
    job: ItemJob,
    status: ItemStatus | undefined,
    after: number,
    limit: number,
  ): Promise<Page<ResultRow>> {
    const rows: ResultRow[] = [];
    for await (const batch of this.batches(job, status, after, PAGE_CHUNKS, limit + 1)) {
      rows.push(...batch);
      if (rows.length > limit) break;
    }
    const hasMore = rows.length > limit;
    const items = rows.slice(0, limit);
    return { items, nextKey: hasMore ? [String(items[items.length - 1].idx)] : null };
  }

  /** Every item in index order, in batches (for streaming results). */
  all(job: ItemJob): AsyncGenerator<ResultRow[]> {
    return this.batches(job, undefined, -1, STREAM_CHUNKS);
  }

  /** The items (as submitted) that failed, in index order, for a retry job. */
  async *failedItems(job: ItemJob): AsyncGenerator<unknown[]> {
    let after = -1;
    for (;;) {
      const failures = await this.chunks.failuresAfter(job.id, after, FAILURE_BATCH);
      if (!failures.length) return;
      after = failures[failures.length - 1].idx;
      let chunkNo = -1;
      let items: unknown[] = [];
      const batch: unknown[] = [];
      for (const f of failures) {
        const no = Math.floor(f.idx / job.chunkSize);
        if (no !== chunkNo) {
          chunkNo = no;
          const chunk = await this.chunks.readItems(job.id, no);
          // Deleted since its failures were read (a concurrent DELETE): the job is gone.
          if (!chunk) throw JobError.notFound(job.id);
          items = JSON.parse(chunk.items) as unknown[];
        }
        batch.push(items[f.idx - no * job.chunkSize]);
      }
      yield batch;
      if (failures.length < FAILURE_BATCH) return;
    }
  }

  private async *batches(
    job: ItemJob,
    status: ItemStatus | undefined,
    after: number,
    chunksPerRead: number,
    failureLimit = FAILURE_BATCH,
  ): AsyncGenerator<ResultRow[]> {
    if (status === 'failed') {
      yield* this.failureBatches(job.id, after, failureLimit);
      return;
    }
    const keyField = this.registry.get(job.operation)?.dedupeField;
    const states = status ? CHUNK_STATES_FOR[status] : undefined;
    let from = Math.floor((after + 1) / job.chunkSize);
    for (;;) {
      const chunks = await this.chunks.readFrom(job.id, from, chunksPerRead, states);
      if (!chunks.length) return;
      const failures = await this.failuresOf(job, chunks, after);
      const rows: ResultRow[] = [];
      for (const chunk of chunks) {
        for (const row of expandChunk(chunk, job.chunkSize, failures, keyField)) {
          if (row.idx > after && (!status || row.status === status)) rows.push(row);
        }
      }
      if (rows.length) yield rows;
      if (chunks.length < chunksPerRead) return;
      from = chunks[chunks.length - 1].chunkNo + 1;
    }
  }

  private async *failureBatches(
    jobId: string,
    after: number,
    limit: number,
  ): AsyncGenerator<ResultRow[]> {
    for (;;) {
      const failures = await this.chunks.failuresAfter(jobId, after, limit);
      if (!failures.length) return;
      yield failures.map(failureToRow);
      if (failures.length < limit) return;
      after = failures[failures.length - 1].idx;
    }
  }

  private async failuresOf(
    job: ItemJob,
    chunks: StoredChunk[],
    after: number,
  ): Promise<Map<number, FailureRow>> {
    if (!chunks.some((c) => mayHoldFailures(c.state))) return new Map();
    const lo = Math.max(after + 1, chunks[0].chunkNo * job.chunkSize);
    const hi = (chunks[chunks.length - 1].chunkNo + 1) * job.chunkSize - 1;
    const rows = await this.chunks.failuresBetween(job.id, lo, hi);
    return new Map(rows.map((f) => [f.idx, f]));
  }
}
