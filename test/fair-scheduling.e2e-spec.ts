import { BULK_QUEUE } from '@app/jobs';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from './support/bulk';
import { installChunkProbe, probedTenants, setChunkProbe } from './support/chunk-probe';
import { auth, createTestApp, type TenantName, type TestApp } from './support/test-app';

interface Job {
  id: string;
  status: string;
  priority: string;
  queue_position: number | null;
  started_at: string | null;
  completed_at: string | null;
}

const orders = (n: number, customer: string) =>
  Array.from({ length: n }, (_, i) => ({ customer_id: customer, amount: i, currency: 'EUR' }));
const ndjson = (n: number, customer: string) =>
  orders(n, customer)
    .map((o) => JSON.stringify(o))
    .join('\n');

/** Items of `jobId` in chunks that had committed by `at` (from the chunks' own finish times). */
const ITEMS_DONE_BY = `SELECT COALESCE(sum(item_count), 0)::int AS n FROM bulk_job_chunks
  WHERE job_id = $1 AND state = 'done' AND finished_at <= $2`;

/** Every item applied exactly once: one order per (customer, amount) pair the job carried. */
const ORDERS_OF = `SELECT count(*)::int AS n, count(DISTINCT amount)::int AS distinct_amounts
  FROM orders WHERE customer_id = $1`;

describe('fair scheduling between tenants (real workers in the API process)', () => {
  let t: TestApp;
  let pg: Client;
  let queue: Queue;
  const CHUNK = 200;

  beforeAll(async () => {
    t = await createTestApp({
      TEST_LABEL: 'fair',
      BULK_CHUNK_SIZE: String(CHUNK),
      WORKER_CONCURRENCY: '2',
    });
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    queue = t.app.get<Queue>(getQueueToken(BULK_QUEUE));
  });
  afterAll(async () => {
    await pg?.end();
    await t?.close();
  });

  const submit = async (tenant: TenantName, body: object): Promise<Job> =>
    (await t.http.post('/bulk-jobs').set(auth(tenant)).send(body).expect(202)).body as Job;
  const get = async (tenant: TenantName, id: string): Promise<Job> =>
    (await t.http.get(`/bulk-jobs/${id}`).set(auth(tenant)).expect(200)).body as Job;
  const doneBy = async (jobId: string, at: string) =>
    (await pg.query<{ n: number }>(ITEMS_DONE_BY, [jobId, at])).rows[0].n;

  it("runs another tenant's one-item job before a big job has done a tenth of its items", async () => {
    const bigItems = 40_000;
    const big = (
      await t.http
        .post('/bulk-jobs?operation=create_orders')
        .set(auth('acme'))
        .set('Content-Type', 'application/x-ndjson')
        .send(ndjson(bigItems, 'cus_fair_big'))
        .expect(202)
    ).body as Job;
    // Submitted once the big job is under way: all of its turns are queued ahead of this one.
    for (let i = 0; (await get('acme', big.id)).status === 'pending'; i++) {
      if (i > 200) throw new Error('the big job never started');
      await new Promise((r) => setTimeout(r, 10));
    }
    const small = await submit('globex', {
      operation: 'create_orders',
      items: orders(1, 'cus_fair_small'),
    });
    const smallDone = await waitForJob(t.http, small.id, 'globex');
    expect(smallDone.status).toBe('completed');
    const bigByThen = await doneBy(big.id, String(smallDone.completed_at));
    expect(bigByThen).toBeLessThan(bigItems / 10);
    expect((await waitForJob(t.http, big.id, 'acme', 120_000)).status).toBe('completed');
    const applied = await pg.query(ORDERS_OF, ['cus_fair_big']);
    expect(applied.rows[0]).toEqual({ n: bigItems, distinct_amounts: bigItems });
  }, 180_000);

  it('lets three tenants with big jobs progress at equal rates while they share the workers', async () => {
    const n = 60 * CHUNK;
    const tenants: TenantName[] = ['acme', 'globex', 'initech'];
    await queue.pause(true);
    let jobs: Job[];
    try {
      jobs = [];
      for (const tenant of tenants) {
        jobs.push(
          await submit(tenant, {
            operation: 'create_orders',
            items: orders(n, `cus_eq_${tenant}`),
          }),
        );
      }
    } finally {
      await queue.resume(true);
    }
    for (const [i, j] of jobs.entries()) {
      expect((await waitForJob(t.http, j.id, tenants[i], 120_000)).status).toBe('completed');
    }
    // Halfway through the whole work (when half of all chunks had committed), each job had done
    // about a third of it.
    const { rows } = await pg.query<{ finished_at: Date }>(
      `SELECT finished_at FROM bulk_job_chunks WHERE job_id = ANY($1) ORDER BY finished_at`,
      [jobs.map((j) => j.id)],
    );
    const halfway = rows[Math.floor(rows.length / 2)].finished_at.toISOString();
    const progress = await Promise.all(jobs.map((j) => doneBy(j.id, halfway)));
    expect(Math.min(...progress) / Math.max(...progress), String(progress)).toBeGreaterThanOrEqual(
      0.8,
    );
  }, 180_000);

  it("orders one tenant's jobs by priority, and tells a waiting job its queue position", async () => {
    await queue.pause(true);
    let low: Job, normal: Job, high: Job;
    try {
      low = await submit('acme', {
        operation: 'create_orders',
        priority: 'low',
        items: orders(10 * CHUNK, 'cus_prio_low'),
      });
      normal = await submit('acme', {
        operation: 'create_orders',
        items: orders(CHUNK, 'cus_prio_n'),
      });
      const res = await t.http
        .post('/bulk-jobs?operation=create_orders&priority=high')
        .set(auth('acme'))
        .set('Content-Type', 'application/x-ndjson')
        .send(ndjson(10 * CHUNK, 'cus_prio_high'))
        .expect(202);
      high = res.body as Job;
      expect([low.priority, normal.priority, high.priority]).toEqual(['low', 'normal', 'high']);
      // Pending: high first, then normal, then low, whatever the order they came in.
      const positions = await Promise.all([low, normal, high].map((j) => get('acme', j.id)));
      expect(positions.map((j) => j.queue_position)).toEqual([3, 2, 1]);
      // Another tenant's pending job is first in its own tenant's line.
      const other = await submit('globex', {
        operation: 'create_orders',
        items: orders(1, 'cus_prio_other'),
      });
      expect((await get('globex', other.id)).queue_position).toBe(1);
    } finally {
      await queue.resume(true);
    }
    const [lowDone, highDone] = [
      await waitForJob(t.http, low.id, 'acme', 120_000),
      await waitForJob(t.http, high.id, 'acme', 120_000),
    ];
    expect(lowDone.queue_position).toBeNull();
    expect(String(highDone.completed_at) < String(lowDone.completed_at)).toBe(true);
    // At most the chunks already running when high's last chunk was claimed: two workers.
    expect(await doneBy(low.id, String(highDone.completed_at))).toBeLessThanOrEqual(2 * CHUNK);
    expect((await waitForJob(t.http, normal.id, 'acme')).status).toBe('completed');
  }, 180_000);
});

describe('per-tenant limits', () => {
  let t: TestApp;
  let pg: Client;
  let queue: Queue;
  const LIMITS = {
    TENANT_MAX_ACTIVE_JOBS: '2',
    TENANT_MAX_ITEMS_PER_DAY: '50',
  };

  beforeAll(async () => {
    t = await createTestApp({
      TEST_LABEL: 'limits',
      BULK_CHUNK_SIZE: '10',
      WORKER_CONCURRENCY: '4',
      ...LIMITS,
    });
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    queue = t.app.get<Queue>(getQueueToken(BULK_QUEUE));
  });
  afterAll(async () => {
    for (const name of Object.keys(LIMITS)) delete process.env[name];
    await pg?.end();
    await t?.close();
  });

  const post = (tenant: TenantName, n: number, customer: string) =>
    t.http
      .post('/bulk-jobs')
      .set(auth(tenant))
      .send({ operation: 'create_orders', items: orders(n, customer) });

  it('answers 429 too_many_active_jobs with Retry-After beyond TENANT_MAX_ACTIVE_JOBS, per tenant', async () => {
    await queue.pause(true);
    try {
      const a1 = await post('acme', 5, 'cus_lim_a1').expect(202);
      await post('acme', 5, 'cus_lim_a2').expect(202);
      const refused = await post('acme', 5, 'cus_lim_a3').expect(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.headers['retry-after']).toBe('10');
      expect(refused.body).toMatchObject({ status: 429, code: 'too_many_active_jobs' });
      // Another tenant has limits of its own.
      await post('globex', 5, 'cus_lim_g1').expect(202);
      // Nothing of the refused job was stored.
      const stored = await pg.query(
        `SELECT count(*)::int AS n FROM bulk_jobs WHERE tenant_id = 'acme'`,
      );
      expect(stored.rows[0].n).toBe(2);
      // A slot opens when one ends.
      await t.http.post(`/bulk-jobs/${a1.body.id}/cancel`).set(auth('acme')).expect(202);
      await post('acme', 5, 'cus_lim_a4').expect(202);
    } finally {
      await queue.resume(true);
    }
  });

  it('answers 429 daily_item_limit_reached with Retry-After past TENANT_MAX_ITEMS_PER_DAY', async () => {
    // initech: no job yet today.
    await post('initech', 30, 'cus_day_1').expect(202);
    const json = await post('initech', 25, 'cus_day_2').expect(429);
    expect(json.body).toMatchObject({ code: 'daily_item_limit_reached' });
    const wait = Number(json.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(86_400);
    // A streamed upload is counted once read, and refused then: nothing of it stays.
    const nd = await t.http
      .post('/bulk-jobs?operation=create_orders')
      .set(auth('initech'))
      .set('Content-Type', 'application/x-ndjson')
      .send(ndjson(25, 'cus_day_3'))
      .expect(429);
    expect(nd.body.code).toBe('daily_item_limit_reached');
    await post('initech', 20, 'cus_day_4').expect(202); // exactly 50
    const jobs = await pg.query(
      `SELECT count(*)::int AS n, sum(total_items)::int AS items FROM bulk_jobs WHERE tenant_id = 'initech'`,
    );
    expect(jobs.rows[0]).toEqual({ n: 2, items: 50 });
  });
});

describe('per-tenant limits under concurrency', () => {
  let t: TestApp;
  let pg: Client;
  let queue: Queue;
  const CAP = 2;
  const ACTIVE = 3;
  const LIMITS = {
    TENANT_MAX_CONCURRENT_CHUNKS: String(CAP),
    TENANT_MAX_ACTIVE_JOBS: String(ACTIVE),
  };
  const env = {
    TEST_LABEL: 'caps',
    BULK_CHUNK_SIZE: '10',
    // CAP workers per app (also the default, which the bulk processor may fix when its file loads).
    WORKER_CONCURRENCY: String(CAP),
    BULL_PREFIX: `test_caps_${randomBytes(4).toString('hex')}`,
    ...LIMITS,
  };

  beforeAll(async () => {
    t = await createTestApp(env);
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    queue = t.app.get<Queue>(getQueueToken(BULK_QUEUE));
    await installChunkProbe(pg);
  });
  afterAll(async () => {
    for (const name of Object.keys(LIMITS)) delete process.env[name];
    await pg?.end();
    await t?.close();
  });

  it('admits exactly TENANT_MAX_ACTIVE_JOBS of many concurrent submissions of one tenant', async () => {
    const tenant = 'initech';
    let accepted: string[] = [];
    // Paused workers: an admitted job stays unfinished, so no slot opens while the requests run.
    await queue.pause(true);
    try {
      const answers = await Promise.all(
        Array.from({ length: 3 * ACTIVE + 1 }, (_, i) =>
          t.http
            .post('/bulk-jobs')
            .set(auth(tenant))
            .set('Idempotency-Key', `concurrent-admission-${i}`)
            .send({ operation: 'create_orders', items: orders(1, `cus_adm_${i}`) }),
        ),
      );
      accepted = answers.filter((r) => r.status === 202).map((r) => r.body.id as string);
      expect(accepted).toHaveLength(ACTIVE);
      for (const r of answers.filter((a) => a.status !== 202)) {
        expect(r.status, r.text).toBe(429);
        expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(r.body).toMatchObject({ status: 429, code: 'too_many_active_jobs' });
        expect(r.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      }
      // Postgres holds exactly the admitted jobs, all unfinished, and nothing of the refused ones.
      const { rows } = await pg.query<{ id: string; status: string }>(
        `SELECT id, status FROM bulk_jobs WHERE tenant_id = $1`,
        [tenant],
      );
      expect(rows.map((r) => r.id).sort()).toEqual([...accepted].sort());
      expect(rows.every((r) => r.status === 'pending' || r.status === 'processing')).toBe(true);
    } finally {
      await queue.resume(true);
    }
    for (const id of accepted)
      expect((await waitForJob(t.http, id, tenant)).status).toBe('completed');
  });

  it('runs as many of one tenant’s chunks at once as TENANT_MAX_CONCURRENT_CHUNKS, never more', async () => {
    // A second worker app on the same database and queue: twice as many workers as the cap, so a
    // cap that did not hold across workers would show.
    const more = await createTestApp(env, [], t.db);
    const tenant: TenantName = 'globex';
    const items = 8 * CAP * 10;
    try {
      // Each chunk's write of orders waits until CAP chunks of its tenant were inside at once (or
      // 3 s), and at least 300 ms: chunks that run together are seen together, whatever the load.
      await setChunkProbe(pg, { holdMs: 300, meet: CAP, meetMs: 3_000 });
      const job = (
        await t.http
          .post('/bulk-jobs')
          .set(auth(tenant))
          .send({ operation: 'create_orders', items: orders(items, 'cus_cap') })
          .expect(202)
      ).body as Job;
      expect((await waitForJob(t.http, job.id, tenant, 120_000)).status).toBe('completed');
    } finally {
      await setChunkProbe(pg, { holdMs: 0, meet: 1 });
      await more.close();
    }
    // Every chunk wrote its orders once, inside a transaction that held one of the tenant's slots,
    // and at its busiest the tenant had exactly CAP chunks running, while other workers were free.
    expect(await probedTenants(pg, [tenant])).toEqual([
      { tenant_id: tenant, writes: items / 10, rows: items, most_inside: CAP, without_slot: 0 },
    ]);
    const applied = await pg.query(ORDERS_OF, ['cus_cap']);
    expect(applied.rows[0]).toEqual({ n: items, distinct_amounts: items });
  }, 180_000);
});
