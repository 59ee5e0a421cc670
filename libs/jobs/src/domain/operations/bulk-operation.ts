import { applyDecorators, Injectable, SetMetadata, type Type } from '@nestjs/common';

export const BULK_OPERATION_KEY = 'jobs:bulkOperation';

/** One validated item of a chunk, with its position in the job. */
export interface ChunkItem<T> {
  idx: number;
  item: T;
}

export type ItemOutcome =
  | { idx: number; status: 'succeeded'; resultId?: string | null }
  | { idx: number; status: 'failed'; code: string; message: string };

export interface ChunkContext {
  tenantId: string;
  jobId: string;
}

/**
 * A bulk operation plug-in. Declare it with `@BulkOperation()` in any module; the jobs module finds it
 * through DI discovery, so adding one needs no change to the jobs module.
 */
export interface BulkOperationHandler<T extends object = object> {
  /** The `operation` name clients send, e.g. `update_orders_status`. */
  readonly name: string;
  /** class-validator DTO every item is checked against by the worker (not at accept time). */
  readonly itemDto: Type<T>;
  /** Item field that identifies the target; a repeat within one job fails as `duplicate_item`. */
  readonly dedupeField?: string;
  /**
   * Applies valid items set-based; returns one outcome per item. It runs inside the chunk's
   * transaction (repositories join it through `Database`), so the chunk commits exactly once.
   */
  applyChunk(ctx: ChunkContext, items: ChunkItem<T>[]): Promise<ItemOutcome[]>;
}

/** Marks a provider as a bulk operation plug-in. */
export const BulkOperation = () =>
  applyDecorators(Injectable(), SetMetadata(BULK_OPERATION_KEY, true));
