import Redis from 'ioredis';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from './support/bulk';
import { startPrivateRedis } from './support/processes';
import { auth, createTestApp, type TestApp } from './support/test-app';
import { eventually } from './support/wait';

/** Redis restarts in a row; one in five used to leave a Bull connection `ready` on a dead socket. */
const RESTARTS = 6;

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
    const up = await t.http.get('/health/ready').expect(200);
    expect(up.body.details.redis).toMatchObject({
      status: 'up',
      primary: `127.0.0.1:${redis.port}`,
      via: 'url',
    });
    await redis.stop();
    await eventually(
      'the condition',
      async () => (await t.http.get('/health/ready')).status === 503,
    );
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
    await eventually(
      'the condition',
      async () => (await t.http.get('/health/ready')).status === 200,
    );
  });

  /**
   * The deterministic form of the restart flake: a server that accepts connections and drops them
   * before answering (Redis going down, a proxy in front of one restarting). ioredis 5 marked a
   * connection without the ready check `ready` once its CLIENT SETINFO calls settled, even when they
   * settled because the socket had just closed; the connection then never reconnected.
   */
  it('recovers after connections are accepted and dropped before any reply', async () => {
    await t.http.get('/health/ready').expect(200);
    await redis.stop();
    const dropper: Server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.destroy());
    });
    let dropped = 0;
    dropper.on('connection', () => (dropped += 1));
    await new Promise<void>((ok) => dropper.listen(redis.port, '127.0.0.1', ok));
    // Long enough for every connection to reconnect into the dropper at least once.
    await eventually('the condition', () => Promise.resolve(dropped >= 6), 15_000);
    await new Promise((r) => setTimeout(r, 3000));
    await new Promise<void>((ok) => dropper.close(() => ok()));
    redis = await startPrivateRedis(redis.port);
    await eventually(
      'the condition',
      async () => (await t.http.get('/health/ready')).status === 200,
      15_000,
    );
    const job = await t.http
      .post('/bulk-jobs')
      .set(auth())
      .send({
        operation: 'create_orders',
        items: [{ customer_id: 'd', amount: 1, currency: 'EUR' }],
      })
      .expect(202);
    expect((await waitForJob(t.http, job.body.id as string, 'acme', 20_000)).status).toBe(
      'completed',
    );
  }, 90_000);

  it(`is ready again after each of ${RESTARTS} restarts, and every queue connection works`, async () => {
    for (let i = 0; i < RESTARTS; i++) {
      await redis.stop();
      await eventually(
        'the condition',
        async () => (await t.http.get('/health/ready')).status === 503,
      );
      // Back at once on some rounds, after the clients' retry back-off has grown on others.
      if (i % 2) await new Promise((r) => setTimeout(r, 1500));
      redis = await startPrivateRedis(redis.port);
      await eventually(
        'the condition',
        async () => (await t.http.get('/health/ready')).status === 200,
        15_000,
      ).catch((e: Error) => {
        throw new Error(`restart ${i + 1}: ${e.message}`);
      });
      // Readiness checks the command connection; a bulk job needs the blocking one and the
      // subscriber too (the worker takes it from the queue, progress events come back).
      const job = await t.http
        .post('/bulk-jobs')
        .set(auth())
        .send({
          operation: 'create_orders',
          items: [{ customer_id: `r${i}`, amount: 1, currency: 'EUR' }],
        })
        .expect(202);
      const done = await waitForJob(t.http, job.body.id as string, 'acme', 20_000);
      expect(done.status, `restart ${i + 1}`).toBe('completed');
    }
  }, 240_000);
});

describe('the rate limit while Redis is away', () => {
  const LIMIT = 5;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let t: TestApp;
  let prefix: string;
  const saved = process.env.RATE_LIMIT_PER_MINUTE;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestApp({
      TEST_LABEL: 'redislimit',
      REDIS_URL: redis.url,
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RUN_WORKERS: 'false',
    });
    prefix = process.env.BULL_PREFIX!;
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop().catch(() => undefined);
    if (saved === undefined) delete process.env.RATE_LIMIT_PER_MINUTE;
    else process.env.RATE_LIMIT_PER_MINUTE = saved;
  });

  it('still answers 429 beyond RATE_LIMIT_PER_MINUTE, per tenant, and shares the count again once Redis is back', async () => {
    await t.http.get('/health/ready').expect(200);
    await redis.stop();
    await eventually(
      'readiness reports Redis down',
      async () => (await t.http.get('/health/ready')).status === 503,
    );
    const answers = [];
    for (let i = 0; i < LIMIT + 2; i++) answers.push(await t.http.get('/orders').set(auth('acme')));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(answers.map((a) => a.headers['ratelimit'])).toEqual(
      [4, 3, 2, 1, 0, 0, 0].map((r) => expect.stringMatching(new RegExp(`^"default";r=${r};t=`))),
    );
    const limited = answers[LIMIT];
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Each tenant keeps a budget of its own.
    await t.http.get('/orders').set(auth('globex')).expect(200);

    redis = await startPrivateRedis(redis.port);
    await eventually(
      'readiness reports Redis back',
      async () => (await t.http.get('/health/ready')).status === 200,
    );
    // The window counted during the outage goes on: still 429, and each request's sync offers its
    // hits to Redis until the limiter's own connection is back.
    const direct = new Redis(redis.url);
    try {
      const shared = await eventually('the outage hits reach Redis', async () => {
        await t.http.get('/orders').set(auth('acme')).expect(429);
        return Number(await direct.get(`${prefix}:rl:default:tenant:acme`));
      });
      expect(shared).toBeGreaterThanOrEqual(LIMIT + 2);
      // A new window starts in Redis again, where every API process shares it.
      await t.http.get('/orders').set(auth('initech')).expect(200);
      expect(Number(await direct.get(`${prefix}:rl:default:tenant:initech`))).toBe(1);
    } finally {
      direct.disconnect();
    }
  }, 90_000);
});
