import Redis from 'ioredis';
import { Client } from 'pg';

/** Fails the e2e run early and clearly when the real Postgres or Redis is not there. */
export default async function setup(): Promise<void> {
  const admin = new Client({
    connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
  try {
    await admin.connect();
    await admin.query('SELECT 1');
  } catch (e) {
    throw new Error(`e2e tests need PostgreSQL (TEST_DATABASE_URL): ${(e as Error).message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`e2e tests need Redis (REDIS_URL): ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
