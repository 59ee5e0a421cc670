import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateRedis } from './support/processes';
import { auth, createTestApp, type TestApp } from './support/test-app';

async function eventually(fn: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('losing Redis at run time', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestApp({ TEST_LABEL: 'redisout', REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop().catch(() => undefined);
  });

  it('turns readiness to 503 while Redis is away, keeps serving, and recovers', async () => {
    await t.http.get('/health/ready').expect(200);
    await redis.stop();
    await eventually(async () => (await t.http.get('/health/ready')).status === 503);
    const ready = await t.http.get('/health/ready');
    expect(ready.body.status).toBe('error');
    expect(ready.body.details.database.status).toBe('up');
    expect(ready.body.details.redis.status).toBe('down');
    await t.http.get('/health/live').expect(200);
    const created = await t.http
      .post('/orders')
      .set(auth())
      .send({ customer_id: 'c', amount: 1, currency: 'EUR' });
    expect(created.status).toBe(201);
    redis = await startPrivateRedis(redis.port);
    await eventually(async () => (await t.http.get('/health/ready')).status === 200);
  });
});
