// The local Redis as a bench uses it: every run has a key prefix of its own, deleted at the end.
import { createRequire } from 'node:module';

const Redis = createRequire(import.meta.url)('ioredis');

export const REDIS_URL =
  process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function withRedis(url, fn) {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

/** Deletes every key starting with `prefix` (Bull queues, rate-limit counters); returns how many. */
export function cleanRedis(prefix, url = REDIS_URL) {
  return withRedis(url, async (r) => {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await r.del(...keys);
    } while (cursor !== '0');
    return deleted;
  });
}

/** `redis_version` of the server, or null when it does not answer. */
export function redisVersion(url = REDIS_URL) {
  return withRedis(
    url,
    async (r) => /redis_version:(\S+)/.exec(await r.info('server'))?.[1] ?? null,
  ).catch(() => null);
}
