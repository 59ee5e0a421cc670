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

/**
 * Rate-limit counters in Redis, so every API process shares one budget per tenant. Only the first
 * hit of a window waits for Redis; later hits are counted locally and added to the shared counter
 * every RATE_LIMIT_SYNC_MS in one round trip, which also brings back the other processes' hits. A
 * single process counts exactly; N processes may together exceed the limit by what they admit in one
 * sync interval. If Redis is away the limiter fails open: rate limiting is not worth an outage, and
 * readiness already reports it.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis;
  private readonly windows = new Map<string, Window>();
  private lastWarning = 0;

  constructor(
    connection: RedisConnection,
    private readonly prefix: string,
  ) {
    this.redis = new Redis({
      ...redisClientOptions(connection),
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    this.redis.on('error', () => undefined);
    this.redis.connect().catch(() => this.warn(`cannot reach ${describeRedis(connection)}`));
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
      const other = this.windows.get(key);
      if (other && Date.now() < other.endsAt) {
        other.shared = Math.max(other.shared, hits);
        return record(counted(other), other.endsAt - Date.now(), limit);
      }
      this.windows.set(key, window);
      return record(hits, pttl, limit);
    } catch (e) {
      this.warn((e as Error).message);
      return {
        totalHits: 0,
        timeToExpire: Math.ceil(ttl / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      };
    }
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
        // Fail open, as with the first hit: the local count still limits this process.
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
    return (await this.redis.eval(
      INCREMENT,
      1,
      `${this.prefix}:rl:${key}`,
      String(ttl),
      String(hits),
    )) as [number, number];
  }

  private warn(message: string): void {
    if (Date.now() - this.lastWarning < 10_000) return;
    this.lastWarning = Date.now();
    this.logger.warn(`rate limiting is off while Redis is unavailable: ${message}`);
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
