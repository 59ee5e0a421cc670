import type { RedisConnection } from '@app/common';
import { describeRedis, redisClientOptions } from '@app/queue';
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';

/** What `increment` answers, as the package's public storage interface declares it. */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Fixed window per key: add the hits, start the window on the first, report the total and time left. */
const INCREMENT = `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
if hits == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { hits, ttl }`;

/** How long hits may be counted locally before they are added to the shared counter. */
export const RATE_LIMIT_SYNC_MS = 100;

interface Window {
  /** The shared counter as of the last sync (every process's hits). */
  shared: number;
  /** This process's hits since, not yet added to Redis. */
  pending: number;
  /** Hits being added to Redis by the sync under way. */
  inFlight: number;
  /** When the window ends (epoch ms). */
  endsAt: number;
  /** When the last sync started (epoch ms). */
  syncedAt: number;
  timer?: NodeJS.Timeout;
}

/** How long the first hit of a window waits for Redis before it is counted in this process alone. */
export const RATE_LIMIT_REDIS_TIMEOUT_MS = 1000;

/**
 * Rate-limit counters in Redis, so every API process shares one budget per tenant. Only the first
 * hit of a window waits for Redis; later hits are counted locally and added to the shared counter
 * every RATE_LIMIT_SYNC_MS in one round trip, which also brings back the other processes' hits. A
 * single process counts exactly; N processes may together exceed the limit by what they admit in one
 * sync interval. While Redis is away every window is counted in this process's memory (the same
 * fixed window): the limit then holds per process, so N processes admit up to N times it, which is
 * bounded where failing open was not. The local hits are added to Redis at the first sync that
 * succeeds, and the next window starts in Redis again.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis;
  private readonly windows = new Map<string, Window>();
  private lastWarning = 0;
  /** Whether the last attempt to reach Redis failed (so that its return is logged once). */
  private degraded = false;

  constructor(
    connection: RedisConnection,
    private readonly prefix: string,
  ) {
    this.redis = new Redis({
      ...redisClientOptions(connection),
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      // A Redis that accepts but does not answer must not hold requests: count locally instead.
      commandTimeout: RATE_LIMIT_REDIS_TIMEOUT_MS,
      lazyConnect: true,
    });
    this.redis.on('error', () => undefined);
    this.redis.connect().catch(() => this.warn(`cannot reach ${describeRedis(connection)}`));
  }

  /** Whether new windows are counted in Redis (shared) now, rather than in this process alone. */
  get sharing(): boolean {
    return this.redis.status === 'ready';
  }

  /** A fixed window of `ttl` ms: once over `limit`, blocked until the window ends. */
  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    // Outages are reported from inside a request, so that the line carries its id.
    if (this.redis.status !== 'ready') this.warn(`not connected (${this.redis.status})`);
    const now = Date.now();
    const known = this.windows.get(key);
    if (known && now < known.endsAt) {
      known.pending++;
      this.scheduleSync(key, known, ttl);
      return record(counted(known), known.endsAt - now, limit);
    }
    if (known) this.drop(key, known);
    try {
      const [hits, pttl] = await this.add(key, ttl, 1);
      const window: Window = {
        shared: hits,
        pending: 0,
        inFlight: 0,
        endsAt: Date.now() + pttl,
        syncedAt: Date.now(),
      };
      // A concurrent first hit may have opened the window meanwhile: keep one, count both.
      const other = this.current(key);
      if (other) {
        other.shared = Math.max(other.shared, hits);
        return record(counted(other), other.endsAt - Date.now(), limit);
      }
      this.windows.set(key, window);
      return record(hits, pttl, limit);
    } catch (e) {
      this.warn((e as Error).message);
      // Counted here alone until a sync reaches Redis (the same fixed window, from this hit on).
      const window = this.current(key) ?? this.open(key, ttl);
      window.pending++;
      return record(counted(window), window.endsAt - Date.now(), limit);
    }
  }

  /** The key's window, if one is open now. */
  private current(key: string): Window | undefined {
    const w = this.windows.get(key);
    return w && Date.now() < w.endsAt ? w : undefined;
  }

  /** A window known to this process only, starting now; its hits go to Redis with its first sync. */
  private open(key: string, ttl: number): Window {
    const now = Date.now();
    const window: Window = { shared: 0, pending: 0, inFlight: 0, endsAt: now + ttl, syncedAt: now };
    this.windows.set(key, window);
    return window;
  }

  /**
   * Adds the local hits to Redis at most every RATE_LIMIT_SYNC_MS: at once when the last sync is
   * older (from inside the request, whose id a failure's warning then carries), else by a timer.
   */
  private scheduleSync(key: string, window: Window, ttl: number): void {
    if (window.timer || window.inFlight) return;
    const wait = window.syncedAt + RATE_LIMIT_SYNC_MS - Date.now();
    if (wait <= 0) return this.sync(key, window, ttl);
    window.timer = setTimeout(() => {
      window.timer = undefined;
      this.sync(key, window, ttl);
    }, wait);
    window.timer.unref();
  }

  private sync(key: string, window: Window, ttl: number): void {
    const n = window.pending;
    if (!n || this.windows.get(key) !== window) return;
    window.pending = 0;
    window.inFlight = n;
    window.syncedAt = Date.now();
    this.add(key, ttl, n).then(
      ([hits, pttl]) => {
        // `hits` includes these n; hits counted while the round trip ran are still pending.
        window.shared = hits;
        window.inFlight = 0;
        window.endsAt = Math.min(window.endsAt, Date.now() + pttl);
        if (window.pending) this.scheduleSync(key, window, ttl);
      },
      (e: Error) => {
        // Kept for the next sync; meanwhile the local count limits this process.
        window.inFlight = 0;
        window.pending += n;
        this.warn(e.message);
      },
    );
  }

  private drop(key: string, window: Window): void {
    if (window.timer) clearTimeout(window.timer);
    this.windows.delete(key);
  }

  private async add(key: string, ttl: number, hits: number): Promise<[number, number]> {
    const added = (await this.redis.eval(
      INCREMENT,
      1,
      `${this.prefix}:rl:${key}`,
      String(ttl),
      String(hits),
    )) as [number, number];
    if (this.degraded) {
      this.degraded = false;
      this.logger.log('Redis is back: rate limits are shared between processes again');
    }
    return added;
  }

  private warn(message: string): void {
    this.degraded = true;
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(
      `rate limits are counted in this process only while Redis is unavailable: ${message}`,
    );
  }

  onApplicationShutdown(): void {
    for (const [key, window] of this.windows) this.drop(key, window);
    this.redis.disconnect();
  }
}

/** Every hit this process knows of: the shared counter, plus its own not yet in it. */
const counted = (w: Window): number => w.shared + w.inFlight + w.pending;

function record(hits: number, msLeft: number, limit: number): ThrottlerStorageRecord {
  const seconds = Math.max(1, Math.ceil(msLeft / 1000));
  const blocked = hits > limit;
  return {
    totalHits: hits,
    timeToExpire: seconds,
    isBlocked: blocked,
    timeToBlockExpire: blocked ? seconds : 0,
  };
}
