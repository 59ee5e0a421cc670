import Bull from 'bull';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  BULL_INTERNALS_VERSION,
  hasLocalWorker,
  jobLockKey,
  lockToken,
  requeueUnlockedActive,
} from './bull-internals';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Against the machine's Redis, each queue under a prefix of its own (removed afterwards). */
describe(`bull internals (bull ${BULL_INTERNALS_VERSION}, real Redis)`, () => {
  const redis = new Redis(REDIS_URL);
  const prefix = `test_internals_${randomBytes(4).toString('hex')}`;
  const queues: Bull.Queue[] = [];
  /** An instance of the queue `name` (tests use names of their own). */
  const open = (name: string) => {
    const queue = new Bull(name, REDIS_URL, { prefix });
    queues.push(queue);
    return queue;
  };

  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close()));
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('is the Bull version the adapter was written against', () => {
    const installed = (createRequire(__filename)('bull/package.json') as { version: string })
      .version;
    expect(installed).toBe(BULL_INTERNALS_VERSION);
  });

  it('reads the token Bull writes into the locks this instance takes, and their key', async () => {
    const queue = open('token');
    const other = open('token');
    const job = await queue.add({});
    const fetched = await queue.getNextJob();
    expect(fetched?.id).toBe(job.id);
    expect(jobLockKey(queue, String(job.id))).toBe(fetched!.lockKey());
    expect(await redis.get(fetched!.lockKey())).toBe(lockToken(queue));
    expect(lockToken(other)).not.toBe(lockToken(queue));
  });

  it('tells whether a handler was registered on the instance', async () => {
    const queue = open('worker');
    await queue.isReady();
    expect(hasLocalWorker(queue)).toBe(false);
    // Bull's worker loop rejects (with nothing) when the queue closes before it got going.
    queue.process(() => Promise.resolve()).catch(() => undefined);
    expect(hasLocalWorker(queue)).toBe(true);
  });

  it('puts back to wait the active entries with no lock or its own lock, and only those', async () => {
    const queue = open('requeue');
    const elsewhere = open('requeue'); // another worker, another token
    const [orphaned, abandoned, held] = await Promise.all([
      queue.add({ n: 1 }),
      queue.add({ n: 2 }),
      queue.add({ n: 3 }),
    ]);
    // What a closing worker can leave active: fetched and never locked, or locked and never run.
    const first = await queue.getNextJob();
    const second = await queue.getNextJob();
    const third = await elsewhere.getNextJob();
    expect([first?.id, second?.id, third?.id]).toEqual([orphaned.id, abandoned.id, held.id]);
    await first!.releaseLock();
    expect(await queue.getActiveCount()).toBe(3);

    expect(await requeueUnlockedActive(queue, redis)).toBe(2);

    // Judged by Bull's own reads of its layout.
    expect(await (await queue.getJob(orphaned.id))!.getState()).toBe('waiting');
    expect(await (await queue.getJob(abandoned.id))!.getState()).toBe('waiting');
    expect(await (await queue.getJob(held.id))!.getState()).toBe('active');
    expect(await redis.exists(second!.lockKey())).toBe(0);
    expect(await redis.get(third!.lockKey())).toBe(lockToken(elsewhere));
    // And Bull hands them out again.
    const again = [await queue.getNextJob(), await queue.getNextJob()].map((j) => j?.id).sort();
    expect(again).toEqual([orphaned.id, abandoned.id].sort());
  });
});
