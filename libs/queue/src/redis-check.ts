import type { RedisConnection } from '@app/common';
import Redis from 'ioredis';
import { describeRedis, redisClientOptions } from './redis-options';

export class RedisUnavailableError extends Error {}

/** Pings Redis once at start-up and explains how to get one when nothing answers. */
export async function assertRedisReachable(
  connection: RedisConnection,
  timeoutMs = 3000,
): Promise<void> {
  const client = new Redis({
    ...redisClientOptions(connection),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new RedisUnavailableError(
      [
        `Redis is not reachable at ${describeRedis(connection)} (${(e as Error).message}).`,
        'The job queue needs Redis. Start one, then run again:',
        '  - Debian/Ubuntu: sudo apt-get install -y redis-server && redis-server --daemonize yes',
        '  - macOS:         brew install redis && brew services start redis',
        '  - Docker:        docker run -d -p 6379:6379 redis:7',
        'or point REDIS_URL at an existing server (REDIS_URL=redis://host:6379),',
        'or REDIS_SENTINELS (host:port,…) and REDIS_SENTINEL_NAME at its sentinels.',
      ].join('\n'),
    );
  } finally {
    client.disconnect();
  }
}
