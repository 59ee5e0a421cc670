import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A failed item: the one kind of item that must be found by index (`/items?status=failed`). */
@Entity({ name: 'bulk_job_failures' })
export class BulkJobFailure {
  @PrimaryColumn({ name: 'job_id', type: 'text' })
  jobId: string;

  @PrimaryColumn({ type: 'integer' })
  idx: number;

  @Column({ name: 'item_id', type: 'text', nullable: true })
  itemId: string | null;

  @Column({ type: 'text', nullable: true })
  ref: string | null;

  @Column({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  message: string;
}
