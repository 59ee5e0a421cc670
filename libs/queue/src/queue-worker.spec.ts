import Bull from 'bull';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { hasLocalWorker } from './bull-internals';
import { processQueue } from './queue-worker';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('processQueue (real Redis)', () => {
  const queue = new Bull('worker', REDIS_URL, {
    prefix: `test_worker_${randomBytes(4).toString('hex')}`,
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('runs every job name on this instance, at most `concurrency` at once', async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let running = 0;
    let most = 0;
    let allStarted!: () => void;
    const third = new Promise<void>((r) => (allStarted = r));
    processQueue(queue, '*', 3, async (job) => {
      started.push(job.name);
      most = Math.max(most, ++running);
      if (started.length === 3) allStarted();
      await gate;
      running--;
    });
    expect(hasLocalWorker(queue)).toBe(true);
    await queue.addBulk(['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, data: {} })));
    await third;
    // Three handlers hold their jobs: Bull fetches no fourth until one returns.
    expect(await queue.getActiveCount()).toBe(3);
    expect(await queue.getWaitingCount()).toBe(2);
    const done = new Promise<void>((r) => {
      let completed = 0;
      queue.on('completed', () => ++completed === 5 && r());
    });
    release();
    await done;
    expect(started.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(3);
  });
});
