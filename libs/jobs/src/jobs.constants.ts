import type { TraceCarrier } from '@app/telemetry';
import type { Job, JobOptions } from 'bull';

export const BULK_QUEUE = 'bulk-jobs';
export const WEBHOOK_QUEUE = 'webhooks';

/** Bull job names. */
export const JobName = {
  Chunk: 'apply-chunk',
  Atomic: 'apply-atomic',
  Deliver: 'deliver-webhook',
  Reconcile: 'reconcile-bulk-jobs',
  Sweep: 'sweep-expired-bulk-jobs',
} as const;

/**
 * What every unit of work carries besides its ids: the W3C trace context of the request that caused
 * it (null when that request was not traced), so its span joins that trace in whichever process runs it.
 */
export interface TracedPayload {
  trace?: TraceCarrier | null;
}

/** One chunk of one bulk job; the Bull jobId is derived from both, so enqueueing twice is a no-op. */
export interface ChunkPayload extends TracedPayload {
  jobId: string;
  chunk: number;
}

export interface AtomicPayload extends TracedPayload {
  jobId: string;
}

export interface WebhookPayload extends TracedPayload {
  eventId: string;
}

/** Every Bull job name with its payload: producers and processors both type against this map. */
export interface JobPayloads {
  [JobName.Chunk]: ChunkPayload;
  [JobName.Atomic]: AtomicPayload;
  [JobName.Deliver]: WebhookPayload;
  [JobName.Reconcile]: Record<string, never>;
  [JobName.Sweep]: Record<string, never>;
}
export type JobNameOf = keyof JobPayloads;

/** A Bull job whose `name` tells its payload type (a union of these narrows on `job.name`). */
export type NamedJob<N extends JobNameOf> = Omit<Job<JobPayloads[N]>, 'name'> & { name: N };
export type BulkQueueJob = NamedJob<typeof JobName.Chunk> | NamedJob<typeof JobName.Atomic>;

export const chunkJobId = (jobId: string, chunk: number) => `${jobId}:${chunk}`;
export const atomicJobId = (jobId: string) => `${jobId}:atomic`;

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

const env = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

/** Every worker setting in one place; environment variables override. */
export const QUEUE_SETTINGS = {
  [BULK_QUEUE]: {
    concurrency: () => env('WORKER_CONCURRENCY', 2),
    lockDurationMs: env('BULK_LOCK_DURATION_MS', 60_000),
    attempts: env('BULK_ATTEMPTS', 10),
    /** Optional ceiling on chunks per second per queue (protects the database); 0 = unlimited. */
    rateLimitPerSecond: Number(process.env.BULK_RATE_LIMIT_CHUNKS_PER_SECOND ?? 0),
  },
  [WEBHOOK_QUEUE]: {
    concurrency: () => env('WEBHOOK_CONCURRENCY', 4),
    lockDurationMs: 30_000,
    attempts: env('WEBHOOK_ATTEMPTS', 8),
    timeoutMs: env('WEBHOOK_TIMEOUT_MS', 15_000),
  },
} as const;

export const BULK_JOB_OPTIONS: JobOptions = {
  attempts: QUEUE_SETTINGS[BULK_QUEUE].attempts,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: 1000,
};

export const WEBHOOK_JOB_OPTIONS: JobOptions = {
  attempts: QUEUE_SETTINGS[WEBHOOK_QUEUE].attempts,
  backoff: { type: 'jittered' },
  removeOnComplete: true,
  removeOnFail: 1000,
};

/** Exponential backoff with jitter for webhook retries (base read at call time: tests shorten it). */
export function jitteredBackoff(
  attemptsMade: number,
  baseMs = env('WEBHOOK_BACKOFF_BASE_MS', 2_000),
): number {
  const ceiling = Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), 3_600_000);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
