import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_SYNC_MS, RedisThrottlerStorage } from './redis-throttler.storage';

const REDIS = { mode: 'url', url: 'redis://127.0.0.1:6379' } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RedisThrottlerStorage (real Redis)', () => {
  const prefix = `rltest_${randomBytes(4).toString('hex')}`;
  const storages: RedisThrottlerStorage[] = [];
  /** A storage once its connection is up (before that, the limiter fails open by design). */
  const storage = async () => {
    const s = new RedisThrottlerStorage(REDIS, prefix);
    storages.push(s);
    for (let i = 0; i < 100 && (await s.increment('t:warmup', 1, 1_000_000)).totalHits === 0; i++) {
      await sleep(50);
    }
    return s;
  };
  afterAll(() => storages.forEach((s) => s.onApplicationShutdown()));

  it('counts every hit of one process exactly and blocks past the limit', async () => {
    const s = await storage();
    const hits = [];
    for (let i = 0; i < 7; i++) hits.push(await s.increment('t:one', 60_000, 5));
    expect(hits.map((h) => h.totalHits)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(hits.map((h) => h.isBlocked)).toEqual([false, false, false, false, false, true, true]);
    expect(hits[6].timeToBlockExpire).toBeGreaterThanOrEqual(1);
    expect(hits[6].timeToBlockExpire).toBeLessThanOrEqual(60);
  });

  it('shares one budget between processes once their local hits are synced', async () => {
    const a = await storage();
    const b = await storage();
    for (let i = 0; i < 4; i++) await a.increment('t:shared', 60_000, 8);
    for (let i = 0; i < 3; i++) await b.increment('t:shared', 60_000, 8);
    await sleep(RATE_LIMIT_SYNC_MS * 3);
    // Each has added its hits to Redis; the next sync brings back the other's.
    await a.increment('t:shared', 60_000, 8);
    await b.increment('t:shared', 60_000, 8);
    await sleep(RATE_LIMIT_SYNC_MS * 3);
    const fromA = await a.increment('t:shared', 60_000, 8);
    const fromB = await b.increment('t:shared', 60_000, 8);
    // Each sees every hit up to its own last sync (4 + 3 + 1 + 1 = 9 at the latest) plus its own
    // new one: at least 9 of the 11, against a limit of 8.
    expect(fromA.totalHits).toBeGreaterThanOrEqual(9);
    expect(fromB.totalHits).toBeGreaterThanOrEqual(9);
    expect(fromA.totalHits).toBeLessThanOrEqual(11);
    expect(fromA.isBlocked && fromB.isBlocked).toBe(true);
  });

  it('starts a new window when the old one ends', async () => {
    const s = await storage();
    for (let i = 0; i < 3; i++) await s.increment('t:window', 300, 2);
    expect((await s.increment('t:window', 300, 2)).isBlocked).toBe(true);
    await sleep(500);
    const next = await s.increment('t:window', 300, 2);
    expect(next.totalHits).toBe(1);
    expect(next.isBlocked).toBe(false);
  });
});
