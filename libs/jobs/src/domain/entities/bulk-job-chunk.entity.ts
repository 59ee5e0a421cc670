import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ChunkState } from '../job-status';

/**
 * Up to `chunk_size` items of one job, stored and claimed together: the unit a worker locks, applies
 * and commits. Outcomes live in the same row; only failures get rows of their own.
 */
@Entity({ name: 'bulk_job_chunks' })
export class BulkJobChunk {
  @PrimaryColumn({ name: 'job_id', type: 'text' })
  jobId: string;

  @PrimaryColumn({ name: 'chunk_no', type: 'integer' })
  chunkNo: number;

  @Column({ name: 'item_count', type: 'integer' })
  itemCount: number;

  @Column({ type: 'text', default: 'pending' })
  state: ChunkState;

  /** The items as submitted: one JSON array (text: stored as sent, parsed only by whoever reads it). */
  @Column({ type: 'text' })
  items: string;

  /** Positions in this chunk whose key already appeared earlier in the job (found while ingesting). */
  @Column({ type: 'integer', array: true, nullable: true })
  duplicates: number[] | null;

  /** JSON array of result ids by position; null when every succeeded item's id is its own key. */
  @Column({ name: 'result_ids', type: 'text', nullable: true })
  resultIds: string | null;

  @Column({ type: 'integer', default: 0 })
  succeeded: number;

  @Column({ type: 'integer', default: 0 })
  failed: number;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
