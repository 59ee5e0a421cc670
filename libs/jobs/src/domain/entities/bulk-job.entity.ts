import type { TraceCarrier } from '@app/telemetry';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { JobPriority, JobStatus } from '../jobs.constants';

@Entity({ name: 'bulk_jobs' })
@Index('bulk_jobs_tenant_created_idx', ['tenantId', 'createdAt', 'id'])
@Index('bulk_jobs_tenant_status_created_idx', ['tenantId', 'status', 'createdAt', 'id'])
@Index('bulk_jobs_tenant_operation_created_idx', ['tenantId', 'operation', 'createdAt', 'id'])
export class BulkJob {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @Column({ type: 'text' })
  operation: string;

  @Column({ type: 'text' })
  status: JobStatus;

  @Column({ type: 'boolean', default: false })
  atomic: boolean;

  /** Orders this tenant's own jobs (never another tenant's). */
  @Column({ type: 'text', default: 'normal' })
  priority: JobPriority;

  /** json | ndjson | csv: CSV values arrive as strings and are converted when validated. */
  @Column({ name: 'source_format', type: 'text', default: 'json' })
  sourceFormat: string;

  @Column({ name: 'chunk_size', type: 'integer' })
  chunkSize: number;

  @Column({ name: 'total_items', type: 'integer' })
  totalItems: number;

  @Column({ name: 'processed_items', type: 'integer', default: 0 })
  processedItems: number;

  @Column({ type: 'integer', default: 0 })
  succeeded: number;

  @Column({ type: 'integer', default: 0 })
  failed: number;

  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl: string | null;

  @Column({ name: 'retry_of', type: 'text', nullable: true })
  retryOf: string | null;

  /** W3C trace context of the request that submitted the job; its chunks and webhooks join that trace. */
  @Column({ name: 'trace_context', type: 'jsonb', nullable: true })
  traceContext: TraceCarrier | null;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Read, never stored: while pending, 1 = the next of its tenant's jobs to start. */
  queuePosition?: number | null;
}
