import type { Queue } from 'bull';
import type { Redis } from 'ioredis';

/**
 * The one place that reaches into Bull's private state and Redis key layout, written against this
 * version of `bull` (lib/queue.js, lib/job.js, lib/commands/*.lua). bull-internals.spec.ts fails on
 * any other installed version: check each function below against the new sources, then move the pin.
 */
export const BULL_INTERNALS_VERSION = '4.16.5';

/** What Bull keeps on a queue instance without declaring it in its typings. */
interface BullPrivateState {
  /** Random per queue instance; Bull writes it into every job lock this instance takes. */
  token?: unknown;
  /** The handlers `process()` registered, by job name. */
  handlers?: Record<string, unknown>;
}

const privateState = (queue: Queue): BullPrivateState => queue as unknown as BullPrivateState;

/** The value of every job lock this queue instance holds. */
export function lockToken(queue: Queue): string {
  const { token } = privateState(queue);
  if (typeof token !== 'string') {
    throw new Error(
      `bull ${BULL_INTERNALS_VERSION} adapter: queue ${queue.name} has no lock token`,
    );
  }
  return token;
}

/** Whether this process works the queue (a handler was registered on this instance). */
export function hasLocalWorker(queue: Queue): boolean {
  return Object.keys(privateState(queue).handlers ?? {}).length > 0;
}

/** The Redis key of a job's lock, as `Job#lockKey()` builds it, for a job not loaded. */
export function jobLockKey(queue: Queue, jobId: string): string {
  return `${queue.toKey(jobId)}:lock`;
}

/**
 * Moves back to `wait` every `active` entry that holds no lock or a lock of ARGV[2]; entries locked
 * by anyone else are left alone. KEYS: active, wait; ARGV: key prefix of the queue, lock token.
 */
const REQUEUE_UNLOCKED = `
local n = 0
for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local lockKey = ARGV[1] .. id .. ':lock'
  local lock = redis.call('GET', lockKey)
  if not lock or lock == ARGV[2] then
    if lock then redis.call('DEL', lockKey) end
    redis.call('LREM', KEYS[1], 1, id)
    redis.call('RPUSH', KEYS[2], id)
    n = n + 1
  end
end
return n`;

/**
 * Puts back to `wait` what this queue instance fetched and never finished: active entries with no
 * lock, or with this instance's lock (released on the way). Runs on `redis`, which may be another
 * connection than the queue's (they are closed once the queue is). Returns how many moved.
 */
export async function requeueUnlockedActive(queue: Queue, redis: Redis): Promise<number> {
  const moved = await redis.eval(
    REQUEUE_UNLOCKED,
    2,
    queue.toKey('active'),
    queue.toKey('wait'),
    queue.toKey(''),
    lockToken(queue),
  );
  return Number(moved);
}
