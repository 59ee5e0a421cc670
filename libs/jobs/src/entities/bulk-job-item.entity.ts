import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ItemStatus } from '../jobs.constants';

@Entity({ name: 'bulk_job_items' })
@Index('bulk_job_items_status_idx', ['jobId', 'status', 'idx'], {
  where: `"status" IN ('failed', 'cancelled')`,
})
@Index('bulk_job_items_dedupe_idx', ['jobId', 'dedupeKey', 'idx'])
export class BulkJobItem {
  @PrimaryColumn({ name: 'job_id', type: 'text' })
  jobId: string;

  @PrimaryColumn({ type: 'integer' })
  idx: number;

  /** `json`, not `jsonb`: stored as sent (cheaper to ingest); parsed when the worker reads it. */
  @Column({ type: 'json' })
  payload: unknown;

  @Column({ type: 'text', nullable: true })
  ref: string | null;

  /** The value that makes two items of one job the same (e.g. the order id), if the operation has one. */
  @Column({ name: 'dedupe_key', type: 'text', nullable: true })
  dedupeKey: string | null;

  @Column({ type: 'text', default: 'pending' })
  status: ItemStatus;

  @Column({ name: 'result_id', type: 'text', nullable: true })
  resultId: string | null;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;
}
