import type { JobStatus } from './jobs.constants';

/**
 * The job status machine, in one place: every path that moves or ends a job asks it which statuses
 * the move may start from, and the UPDATE guards on exactly those (so two paths racing to end one job
 * cannot both win).
 */
const JOB_TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  pending: ['processing', 'failed', 'cancelled'],
  processing: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['pending', 'processing'];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

export function canMove(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

/** The statuses a job may be in for a move to `to` to apply. */
export function movableFrom(to: JobStatus): JobStatus[] {
  return (Object.keys(JOB_TRANSITIONS) as JobStatus[]).filter((from) => canMove(from, to));
}

/**
 * A chunk is claimed and applied as a unit: `pending` until a worker commits it (`done`), or stopped
 * before it ran (`cancelled` by a cancel, `rolled_back` with its atomic job).
 */
export const CHUNK_STATES = ['pending', 'done', 'cancelled', 'rolled_back'] as const;
export type ChunkState = (typeof CHUNK_STATES)[number];
