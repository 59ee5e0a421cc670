import type { ChunkState } from '../domain/job-status';
import { ItemErrorCode, type ItemStatus } from '../domain/jobs.constants';
import type { FailureRow, StoredChunk } from './bulk-job-chunks.repository';
import type { ResultRow } from './results-writer';
import { dedupeKey } from '../ingest/chunk-builder';

const ROLLED_BACK_MESSAGE = 'not applied: another item of this atomic job failed';

/** What each chunk state means for the items in it that have not failed. */
const ITEM_STATUS_BY_CHUNK: Record<ChunkState, ItemStatus> = {
  pending: 'pending',
  done: 'succeeded',
  cancelled: 'cancelled',
  rolled_back: 'cancelled',
};

/** The chunk states whose items can have a given status (failed items have rows of their own). */
export const CHUNK_STATES_FOR: Record<Exclude<ItemStatus, 'failed'>, readonly ChunkState[]> = {
  pending: ['pending'],
  succeeded: ['done'],
  cancelled: ['cancelled', 'rolled_back'],
};

/** Only applied or rolled-back chunks can hold failed items. */
export const mayHoldFailures = (state: ChunkState) => state === 'done' || state === 'rolled_back';

export function failureToRow(f: FailureRow): ResultRow {
  return {
    idx: f.idx,
    id: f.itemId,
    ref: f.ref,
    status: 'failed',
    error_code: f.code,
    error_message: f.message,
  };
}

/**
 * Every item of a stored chunk as clients see it: a failure row wins; otherwise the chunk's state
 * says it all. The id is the result id, or else the item's own key (as the per-item rows had it).
 */
export function expandChunk(
  chunk: StoredChunk,
  chunkSize: number,
  failures: ReadonlyMap<number, FailureRow>,
  keyField: string | undefined,
): ResultRow[] {
  const items = JSON.parse(chunk.items) as unknown[];
  const resultIds = chunk.resultIds ? (JSON.parse(chunk.resultIds) as (string | null)[]) : null;
  const status = ITEM_STATUS_BY_CHUNK[chunk.state];
  const rolledBack = chunk.state === 'rolled_back';
  const base = chunk.chunkNo * chunkSize;
  return items.map((item, p) => {
    const idx = base + p;
    const failure = failures.get(idx);
    if (failure) return failureToRow(failure);
    const key = keyField ? dedupeKey(item, keyField) : null;
    return {
      idx,
      id: status === 'succeeded' && resultIds ? resultIds[p] : key,
      ref: refOf(item),
      status,
      error_code: rolledBack ? ItemErrorCode.RolledBack : null,
      error_message: rolledBack ? ROLLED_BACK_MESSAGE : null,
    };
  });
}

export function refOf(item: unknown): string | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return null;
  const ref = (item as Record<string, unknown>).ref;
  return typeof ref === 'string' ? ref : null;
}
