import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT_SYNC_MS, RedisThrottlerStorage } from './redis-throttler.storage';

const REDIS = { mode: 'url', url: 'redis://127.0.0.1:6379' } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

/**
 * A TCP relay to the machine's Redis on a port of its own: `cut()` closes it and every connection
 * through it (Redis unreachable, as a crashed or partitioned server is), `restore()` listens again.
 */
async function relayToRedis() {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((ok, fail) => {
      server = createServer((client) => {
        const upstream = connect(6379, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => {
            sockets.delete(s);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => ok((server!.address() as AddressInfo).port));
    });
  const port = await listen(0);
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: async () => {
      await new Promise<void>((ok) => {
        server!.close(() => ok());
        for (const s of sockets) s.destroy();
      });
    },
    restore: () => listen(port),
  };
}

describe('RedisThrottlerStorage (real Redis)', () => {
  const prefix = `rltest_${randomBytes(4).toString('hex')}`;
  const storages: RedisThrottlerStorage[] = [];
  /** A storage once its connection is up (before that, it counts in its own memory). */
  const storage = async (url: string = REDIS.url) => {
    const s = new RedisThrottlerStorage({ mode: 'url', url }, prefix);
    storages.push(s);
    await until('the storage is connected', () => s.sharing);
    return s;
  };
  const unconnected = (url: string) => {
    const s = new RedisThrottlerStorage({ mode: 'url', url }, prefix);
    storages.push(s);
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

  it('still limits, in its own memory, while Redis is unreachable', async () => {
    // A port nothing listens on: every attempt to reach Redis fails.
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const s = unconnected(`redis://127.0.0.1:${port}`);
    expect(s.sharing).toBe(false);
    const hits = [];
    for (let i = 0; i < 7; i++) hits.push(await s.increment('t:down', 60_000, 5));
    expect(hits.map((h) => h.totalHits)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(hits.map((h) => h.isBlocked)).toEqual([false, false, false, false, false, true, true]);
    expect(hits[6].timeToBlockExpire).toBeGreaterThanOrEqual(59);
    expect(hits[6].timeToBlockExpire).toBeLessThanOrEqual(60);
    // Each key has its own budget, and a window ends as in Redis.
    expect((await s.increment('t:down-other', 60_000, 5)).totalHits).toBe(1);
    for (let i = 0; i < 3; i++) await s.increment('t:down-window', 300, 2);
    expect((await s.increment('t:down-window', 300, 2)).isBlocked).toBe(true);
    await sleep(400);
    const next = await s.increment('t:down-window', 300, 2);
    expect(next).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('adds the hits counted during an outage to Redis once it is back, and shares again', async () => {
    const relay = await relayToRedis();
    const viaRelay = await storage(relay.url);
    const direct = await storage();
    const key = 't:outage';
    await relay.cut();
    await until('the storage sees the outage', () => !viaRelay.sharing);
    const during = [];
    for (let i = 0; i < 4; i++) during.push(await viaRelay.increment(key, 60_000, 5));
    expect(during.map((h) => h.totalHits)).toEqual([1, 2, 3, 4]);
    // Another process saw none of them meanwhile.
    expect((await direct.increment(key, 60_000, 5)).totalHits).toBe(1);
    await relay.restore();
    await until('the storage reconnects', () => viaRelay.sharing);
    // The next hit syncs: its 5 hits go to Redis, and it learns the other process's.
    await viaRelay.increment(key, 60_000, 5);
    const redis = new Redis(REDIS.url);
    try {
      let stored = 0;
      for (let i = 0; i < 100 && stored < 6; i++) {
        stored = Number(await redis.get(`${prefix}:rl:${key}`));
        if (stored < 6) await sleep(RATE_LIMIT_SYNC_MS);
      }
      expect(stored).toBe(6);
    } finally {
      redis.disconnect();
    }
    await sleep(RATE_LIMIT_SYNC_MS * 3);
    const after = await viaRelay.increment(key, 60_000, 5);
    expect(after.totalHits).toBe(7);
    expect(after.isBlocked).toBe(true);
    // The other process's next sync brings the outage's hits back to it too.
    await direct.increment(key, 60_000, 5);
    await sleep(RATE_LIMIT_SYNC_MS * 3);
    expect((await direct.increment(key, 60_000, 5)).totalHits).toBeGreaterThanOrEqual(8);
    await relay.cut();
  });
});
