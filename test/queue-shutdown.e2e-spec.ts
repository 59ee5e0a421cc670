import { jobLockKey, lockToken, QueueErrorsListener } from '@app/queue';
import type { DiscoveryService } from '@nestjs/core';
import Bull from 'bull';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('queue shutdown (real Redis)', () => {
  const redis = new Redis(REDIS_URL);
  afterAll(() => redis.disconnect());

  it('puts back to wait what a closing worker fetched and never processed, and only that', async () => {
    const queue = new Bull('shutdown-test', REDIS_URL, {
      prefix: `test_${randomBytes(4).toString('hex')}`,
    });
    await queue.isReady();
    // A worker here: Bull's blocking fetch is what can leave an entry active and unlocked at close.
    void queue.process(() => Promise.resolve());
    // What the race leaves behind: fetched and never locked, or locked by this worker and never
    // processed; beside an entry a live worker elsewhere holds.
    await redis.lpush(queue.toKey('active'), 'orphaned', 'abandoned', 'held');
    await redis.set(jobLockKey(queue, 'abandoned'), lockToken(queue), 'PX', 60_000);
    await redis.set(jobLockKey(queue, 'held'), 'another-worker', 'PX', 60_000);
    const listener = new QueueErrorsListener({
      getProviders: () => [{ instance: queue }],
    } as unknown as DiscoveryService);
    listener.onModuleInit();
    await listener.beforeApplicationShutdown();
    expect(await redis.lrange(queue.toKey('active'), 0, -1)).toEqual(['held']);
    expect((await redis.lrange(queue.toKey('wait'), 0, -1)).sort()).toEqual([
      'abandoned',
      'orphaned',
    ]);
    expect(await redis.exists(jobLockKey(queue, 'abandoned'))).toBe(0);
    const keys = await redis.keys(`${queue.toKey('')}*`);
    if (keys.length) await redis.del(...keys);
  });
});
