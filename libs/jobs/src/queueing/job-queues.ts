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

/**
 * A turn on a worker, one per chunk of a bulk job: the Bull jobId is derived from the job and chunk,
 * so enqueueing twice is a no-op. The worker that takes it applies the chunk the fair scheduler
 * picks, which is this one only when no other tenant or job is owed a turn first; the count of turns
 * in the queue always covers the count of pending chunks.
 */
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

/**
 * Fixed worker settings. What the environment decides (concurrency, lock duration, attempts, rate
 * limit, webhook timeout and backoff base) is `queueConfig` of @app/common, injected.
 */
export const QUEUE_SETTINGS = {
  [BULK_QUEUE]: {
    /** A turn that found every tenant with work at its chunk limit asks again after this long… */
    blockedRetryMs: 250,
    /** …for at most this long, then goes back to the queue (delayed by `blockedRetryMs`). */
    blockedHoldMs: 5_000,
  },
  [WEBHOOK_QUEUE]: { lockDurationMs: 30_000 },
} as const;

/** The bulk queue's `defaultJobOptions`: every `add` gets them. */
export const bulkJobOptions = (attempts: number): JobOptions => ({
  attempts,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: true,
  removeOnFail: 1000,
});

/** The webhook queue's `defaultJobOptions`. */
export const webhookJobOptions = (attempts: number): JobOptions => ({
  attempts,
  backoff: { type: 'jittered' },
  removeOnComplete: true,
  removeOnFail: 1000,
});

/** Exponential backoff with jitter for webhook retries, from WEBHOOK_BACKOFF_BASE_MS. */
export function jitteredBackoff(attemptsMade: number, baseMs: number): number {
  const ceiling = Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), 3_600_000);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
