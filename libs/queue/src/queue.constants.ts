import type { JobOptions } from 'bull';

/** Housekeeping (sweepers, reconciler); registered by the foundation so readiness can check the queue. */
export const MAINTENANCE_QUEUE = 'maintenance';

export const DEFAULT_JOB_OPTIONS: JobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: 1000,
  removeOnFail: 5000,
};

/** A Redis command that does not answer in time is treated as Redis being down. */
export const REDIS_COMMAND_TIMEOUT_MS = 3000;
