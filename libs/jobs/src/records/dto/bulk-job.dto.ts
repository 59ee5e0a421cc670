import type { BulkJob } from '../../domain/entities/bulk-job.entity';
import { ApiProperty } from '@nestjs/swagger';
import { JOB_PRIORITIES, JOB_STATUSES, type JobPriority } from '../../domain/jobs.constants';

export class BulkJobLinksDto {
  /** @example /bulk-jobs/job_9f83ab */
  self: string;
  /** @example /bulk-jobs/job_9f83ab/items */
  items: string;
  /** @example /bulk-jobs/job_9f83ab/results */
  results: string;
  /** @example /bulk-jobs/job_9f83ab/cancel */
  cancel: string;
}

export class BulkJobErrorDto {
  code: string;
  message: string;
}

/** A bulk job: progress, counters and where to find items and results. */
export class BulkJobDto {
  /** @example job_9f83ab0k2m4n6p8r1t3v */
  id: string;
  /** @example update_orders_status */
  operation: string;
  status: (typeof JOB_STATUSES)[number];
  atomic: boolean;
  /** Orders this tenant's own jobs (never another tenant's). */
  @ApiProperty({ enum: JOB_PRIORITIES })
  priority: JobPriority;
  /**
   * While `pending`: 1 = the next of this tenant's jobs to start (workers take turns between
   * tenants, so other tenants' jobs never count); `null` once started.
   */
  @ApiProperty({ type: 'integer', minimum: 1, nullable: true })
  queue_position: number | null;
  total_items: number;
  /** Items tried so far (succeeded + failed). */
  processed_items: number;
  succeeded: number;
  failed: number;
  /** 0–100. */
  progress: number;
  /** @example 2026-01-13T15:15:00.000Z */
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /** After this the job, its items and results answer 404 and are deleted. */
  expires_at: string | null;
  webhook_url: string | null;
  /** Set once the job is terminal. */
  result_url: string | null;
  /** The job whose failed items this one retries. */
  retry_of: string | null;
  /** Why the job itself failed (e.g. an atomic job rolled back). */
  error: BulkJobErrorDto | null;
  links: BulkJobLinksDto;
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function toBulkJobDto(job: BulkJob): BulkJobDto {
  const self = `/bulk-jobs/${job.id}`;
  const terminal =
    job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled';
  const total = job.totalItems;
  const processed = job.processedItems;
  return {
    id: job.id,
    operation: job.operation,
    status: job.status,
    atomic: job.atomic,
    priority: job.priority,
    queue_position: job.status === 'pending' ? (job.queuePosition ?? null) : null,
    total_items: total,
    processed_items: processed,
    succeeded: job.succeeded,
    failed: job.failed,
    progress: total === 0 ? 100 : Math.floor((processed / total) * 100),
    created_at: job.createdAt.toISOString(),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    expires_at: iso(job.expiresAt),
    webhook_url: job.webhookUrl,
    result_url: terminal ? `${self}/results` : null,
    retry_of: job.retryOf,
    error: job.error,
    links: { self, items: `${self}/items`, results: `${self}/results`, cancel: `${self}/cancel` },
  };
}
