import Redis from 'ioredis';

/**
 * Removes the keys this test's Bull prefix left on the shared Redis (only `<prefix>:*`, by SCAN;
 * the server itself is never flushed). Never throws.
 */
export async function deleteBullKeys(prefix: string, url = process.env.REDIS_URL): Promise<number> {
  if (!/^[\w-]+$/.test(prefix)) throw new Error(`refusing to delete keys for prefix ${prefix}`);
  const redis = new Redis(url ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // best effort
  } finally {
    redis.disconnect();
  }
  return deleted;
}
