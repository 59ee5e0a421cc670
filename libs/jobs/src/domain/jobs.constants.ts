/** A job's priority among its own tenant's jobs (never against another tenant's). */
export const JOB_PRIORITIES = ['high', 'normal', 'low'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ITEM_STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

export const EVENT_TYPES = ['bulk_job.completed', 'bulk_job.failed', 'bulk_job.cancelled'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Per-item error codes a client may see in results. */
export const ItemErrorCode = {
  ValidationFailed: 'validation_failed',
  NotFound: 'not_found',
  InvalidTransition: 'invalid_transition',
  DuplicateItem: 'duplicate_item',
  RolledBack: 'rolled_back',
} as const;

/** Postgres LISTEN/NOTIFY channel: a job's row changed (committed). Payload: the job id. */
export const PROGRESS_CHANNEL = 'bulk_job_changed';
