import Redis from 'ioredis';
import { describeRedisUrl, redisOptionsFromUrl } from './redis-options';

export class RedisUnavailableError extends Error {}

/** Pings Redis once at start-up and explains how to get one when nothing answers. */
export async function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const client = new Redis({
    ...redisOptionsFromUrl(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new RedisUnavailableError(
      [
        `Redis is not reachable at ${describeRedisUrl(url)} (${(e as Error).message}).`,
        'The job queue needs Redis. Start one, then run again:',
        '  - Debian/Ubuntu: sudo apt-get install -y redis-server && redis-server --daemonize yes',
        '  - macOS:         brew install redis && brew services start redis',
        '  - Docker:        docker run -d -p 6379:6379 redis:7',
        'or point REDIS_URL at an existing server (REDIS_URL=redis://host:6379).',
      ].join('\n'),
    );
  } finally {
    client.disconnect();
  }
}
