import type { BulkJob } from '@app/sdk';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storedItemsSql } from './support/bulk';
import { createMigratedDatabase, type MigratedDatabase } from './support/database';
import { API_MAIN, startPrivateRedis, WORKER_MAIN, type Proc } from './support/processes';
import { serviceEnv, startService, startWorker as startWorkerProcess } from './support/service';
import { sleep, eventually } from './support/wait';

/**
 * Bulk jobs under faults, with the built API and worker as real processes: workers SIGKILLed mid-job,
 * Redis flushed mid-job, Redis down at submission. Postgres is the source of truth, so every job must
 * complete with each item applied exactly once.
 */

type PrivateRedis = Awaited<ReturnType<typeof startPrivateRedis>>;

// Large enough that the job is still running when each fault lands (storage v2 applies ~30k items/s here).
const ITEMS = 100_000;
const KEYS = { acme: 'key_acme', globex: 'key_globex' } as const;
type Tenant = keyof typeof KEYS;
const auth = (tenant: Tenant = 'acme') => ({ Authorization: `Bearer ${KEYS[tenant]}` });
/** Another tenant's job beside the big one: the workers share themselves fairly between both. */
const OTHER_ITEMS = 20_000;

describe('bulk jobs under faults (real API and worker processes)', () => {
  let db: MigratedDatabase;
  const procs: { name: string; proc: Proc }[] = [];
  const redises: PrivateRedis[] = [];
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase('bulkfaults');
  });

  const alive = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;

  /**
   * Stops every process and private Redis a test started. Tests share one database and the reconciler
   * scans every job in it, so a worker left over from an earlier test would repair a later test's job
   * through its own Redis and hide the behaviour under test.
   */
  const stopAll = async () => {
    for (const { proc } of procs.splice(0)) {
      if (alive(proc)) {
        proc.child.kill('SIGKILL');
        await proc.exited(10_000).catch(() => undefined);
      }
    }
    for (const r of redises.splice(0)) {
      if (alive(r.proc)) await r.stop().catch(() => undefined);
    }
    for (const stop of stops.splice(0)) await stop();
  };

  /** A job a failed test left unfinished would otherwise be reconciled by the next test's worker. */
  const cancelLeftovers = async () => {
    await db.pg.query(
      `UPDATE bulk_job_chunks SET state = 'cancelled' WHERE state = 'pending'
          AND job_id IN (SELECT id FROM bulk_jobs WHERE status IN ('pending', 'processing'))`,
    );
    await db.pg.query(
      `UPDATE bulk_jobs SET status = 'cancelled', completed_at = now(), updated_at = now()
        WHERE status IN ('pending', 'processing')`,
    );
  };

  // Other people rebuild dist/ on this machine: start each test on a complete build.
  beforeEach(async () => {
    const until = Date.now() + 180_000;
    const building = () => spawnSync('pgrep', ['-f', 'nest build']).status === 0;
    while (building() || !existsSync(API_MAIN) || !existsSync(WORKER_MAIN)) {
      if (Date.now() > until) throw new Error('dist/ is not built (or a build never ends)');
      await sleep(1000);
    }
  }, 200_000);

  afterEach(async () => {
    await stopAll();
    await cancelLeftovers();
  });
  afterAll(async () => {
    await stopAll();
    await db?.drop();
  });

  /** Prints the tail of every process's output, so a failure shows what the service logged. */
  const dumpLogs = () => {
    for (const { name, proc } of procs) {
      console.error(`----- ${name} (pid ${proc.child.pid}) -----\n${proc.output().slice(-6000)}`);
    }
  };
  const withLogs = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      dumpLogs();
      throw e;
    }
  };

  const privateRedis = async (port?: number) => {
    const r = await startPrivateRedis(port);
    redises.push(r);
    return r;
  };

  const env = (prefix: string, redisUrl: string) =>
    serviceEnv({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      API_KEYS: Object.entries(KEYS)
        .map(([t, k]) => `${t}:${k}`)
        .join(','),
      CURSOR_SECRET: 'bulk-faults-secret',
      BULL_PREFIX: prefix,
      BULK_CHUNK_SIZE: '200',
    });

  let workerSeq = 0;
  const startWorker = async (prefix: string, redisUrl: string) => {
    const proc = await startWorkerProcess(env(prefix, redisUrl), 30_000);
    procs.push({ name: `worker #${++workerSeq} ${prefix}`, proc });
    return proc;
  };

  /** A test's own private Redis, API (behind a validating proxy) and one worker, on its own prefix. */
  const startStack = async (name: string) => {
    const prefix = `bf_${name}_${process.pid}_${Date.now()}`;
    const redis = await privateRedis();
    // The worker is started (and restarted) by the test: the API runs none.
    const svc = await startService(
      { ...env(prefix, redis.url), RUN_WORKERS: 'false' },
      { worker: false, timeoutMs: 30_000 },
    );
    procs.push({ name: `api ${prefix}`, proc: svc.api });
    stops.push(() => svc.stop());
    const worker = await startWorker(prefix, redis.url);
    return { prefix, redis, api: svc, worker };
  };

  /** Empties the test's Redis (every queue entry gone, as after a crash without persistence). */
  const flush = async (url: string) => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      expect(await client.flushall()).toBe('OK');
    } finally {
      client.disconnect();
    }
  };

  const kill = async (proc: Proc) => {
    proc.child.kill('SIGKILL');
    await proc.exited(10_000);
  };

  const items = (customerPrefix: string, n = ITEMS) =>
    Array.from({ length: n }, (_, i) => ({
      customer_id: `${customerPrefix}${i}`,
      amount: i,
      currency: 'EUR',
      ref: `r${i}`,
    }));

  const submit = (base: string, customerPrefix: string, n = ITEMS, tenant: Tenant = 'acme') =>
    fetch(`${base}/bulk-jobs`, {
      method: 'POST',
      headers: { ...auth(tenant), 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'create_orders', items: items(customerPrefix, n) }),
      signal: AbortSignal.timeout(60_000),
    });

  const submitAccepted = async (
    base: string,
    customerPrefix: string,
    n = ITEMS,
    tenant: Tenant = 'acme',
  ) => {
    const res = await submit(base, customerPrefix, n, tenant);
    const body = (await res.json()) as BulkJob;
    expect(res.status, JSON.stringify(body)).toBe(202);
    expect(body.total_items).toBe(n);
    return body.id;
  };

  const getJob = async (
    base: string,
    id: string,
    waitSeconds?: number,
    tenant: Tenant = 'acme',
  ): Promise<BulkJob> => {
    const res = await fetch(`${base}/bulk-jobs/${id}`, {
      headers: { ...auth(tenant), ...(waitSeconds ? { Prefer: `wait=${waitSeconds}` } : {}) },
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as BulkJob;
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };

  /** Polls until more than `after` items are processed but the job is not finished; returns the count. */
  const waitForProgress = async (base: string, id: string, after: number, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const job = await getJob(base, id);
      if (job.processed_items >= job.total_items || job.status === 'completed') {
        throw new Error(
          `job ${id} finished (${job.processed_items}/${job.total_items}, ${job.status}) before the fault could be injected`,
        );
      }
      if (job.processed_items > after) return job.processed_items;
      if (Date.now() > until) {
        throw new Error(
          `job ${id} made no progress past ${after} within ${timeoutMs} ms: ${JSON.stringify(job)}`,
        );
      }
      await sleep(50);
    }
  };

  const waitCompleted = async (
    base: string,
    id: string,
    timeoutMs: number,
    tenant: Tenant = 'acme',
  ) => {
    const until = Date.now() + timeoutMs;
    let job = await getJob(base, id, undefined, tenant);
    while (job.status !== 'completed') {
      if (job.status === 'failed' || job.status === 'cancelled') {
        throw new Error(`job ${id} ended ${job.status}: ${JSON.stringify(job)}`);
      }
      if (Date.now() > until) {
        throw new Error(`job ${id} not completed within ${timeoutMs} ms: ${JSON.stringify(job)}`);
      }
      job = await getJob(base, id, 10, tenant);
    }
    return job;
  };

  /** Every item applied exactly once: one order per customer, counters exact, items point at real orders. */
  const assertExactlyOnce = async (jobId: string, customerPrefix: string, n = ITEMS) => {
    const like = `${customerPrefix.replace(/_/g, '\\_')}%`;
    const [job] = (
      await db.pg.query(
        `SELECT tenant_id, status, total_items, processed_items, succeeded, failed FROM bulk_jobs WHERE id = $1`,
        [jobId],
      )
    ).rows;
    expect(job).toMatchObject({
      status: 'completed',
      total_items: n,
      processed_items: n,
      succeeded: n,
      failed: 0,
    });
    const orders = await db.pg.query(
      `SELECT count(*)::int AS n, count(DISTINCT customer_id)::int AS customers,
              count(*) FILTER (WHERE amount::text <> substr(customer_id, $3::int))::int AS wrong_amount
         FROM orders WHERE tenant_id = $1 AND customer_id LIKE $2`,
      [job.tenant_id, like, customerPrefix.length + 1],
    );
    expect(orders.rows[0]).toEqual({ n, customers: n, wrong_amount: 0 });
    const dupes = await db.pg.query(
      `SELECT customer_id, count(*)::int AS n FROM orders WHERE customer_id LIKE $1
        GROUP BY customer_id HAVING count(*) > 1 LIMIT 20`,
      [like],
    );
    expect(dupes.rows).toEqual([]);
    const itemRows = await db.pg.query(
      `SELECT count(*)::int AS n,
              count(*) FILTER (WHERE i.status = 'succeeded')::int AS succeeded,
              count(DISTINCT i.result_id)::int AS result_ids,
              count(*) FILTER (WHERE o.id IS NULL)::int AS dangling,
              count(*) FILTER (WHERE o.customer_id IS DISTINCT FROM i.payload->>'customer_id')::int AS mismatched
         FROM (${storedItemsSql('c.job_id = $1')}) i LEFT JOIN orders o ON o.id = i.result_id`,
      [jobId],
    );
    expect(itemRows.rows[0]).toEqual({
      n,
      succeeded: n,
      result_ids: n,
      dangling: 0,
      mismatched: 0,
    });
  };

  it('completes exactly once although its worker is SIGKILLed three times mid-job', async () => {
    await withLogs(async () => {
      const t0 = Date.now();
      const stack = await startStack('kill');
      const { prefix, redis, api } = stack;
      let { worker } = stack;
      const id = await submitAccepted(api.base, 'cus_kill_');
      const other = await submitAccepted(api.base, 'cus_kill_other_', OTHER_ITEMS, 'globex');
      let seen = 0;
      const kills: number[] = [];
      for (let k = 0; k < 3; k++) {
        seen = await waitForProgress(api.base, id, seen);
        await kill(worker);
        kills.push(seen);
        worker = await startWorker(prefix, redis.url);
      }
      console.log(`kill test: worker killed at processed_items ${kills.join(', ')}`);
      const job = await waitCompleted(api.base, id, 120_000);
      expect(job).toMatchObject({
        status: 'completed',
        processed_items: ITEMS,
        succeeded: ITEMS,
        failed: 0,
      });
      await assertExactlyOnce(id, 'cus_kill_');
      await waitCompleted(api.base, other, 120_000, 'globex');
      await assertExactlyOnce(other, 'cus_kill_other_', OTHER_ITEMS);
      // Submitted second and five times smaller, it shared the workers and ended first.
      const ends = await db.pg.query<{ id: string }>(
        `SELECT id FROM bulk_jobs WHERE id = ANY($1) ORDER BY completed_at`,
        [[id, other]],
      );
      expect(ends.rows.map((r) => r.id)).toEqual([other, id]);
      console.log(`kill test: completed in ${Date.now() - t0} ms`);
    });
  }, 240_000);

  it('completes exactly once after Redis is flushed mid-job and the worker restarts (start-up reconcile)', async () => {
    await withLogs(async () => {
      const t0 = Date.now();
      const { prefix, redis, api, worker } = await startStack('flush');
      const id = await submitAccepted(api.base, 'cus_flush_');
      const other = await submitAccepted(api.base, 'cus_flush_other_', OTHER_ITEMS, 'globex');
      const seen = await waitForProgress(api.base, id, 0);
      await flush(redis.url);
      console.log(`flush+restart test: flushed at processed_items >= ${seen}`);
      await kill(worker);
      await startWorker(prefix, redis.url);
      await waitCompleted(api.base, id, 120_000);
      await assertExactlyOnce(id, 'cus_flush_');
      await waitCompleted(api.base, other, 120_000, 'globex');
      await assertExactlyOnce(other, 'cus_flush_other_', OTHER_ITEMS);
      console.log(`flush+restart test: completed in ${Date.now() - t0} ms`);
    });
  }, 240_000);

  it('completes exactly once after Redis is flushed mid-job, by the periodic reconcile alone', async () => {
    await withLogs(async () => {
      const t0 = Date.now();
      const { prefix, redis, api } = await startStack('flush2');
      const id = await submitAccepted(api.base, 'cus_period_');
      const seen = await waitForProgress(api.base, id, 0);
      await flush(redis.url);
      console.log(`flush (periodic) test: flushed at processed_items >= ${seen}`);
      // No restart: the reconciler runs every 30 s for work untouched for 30 s.
      try {
        await waitCompleted(api.base, id, 90_000);
      } catch (e) {
        const probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
        try {
          const keys = await probe.keys(`${prefix}:maintenance:*`);
          console.error(
            `flush (periodic) test: maintenance keys in Redis after the flush: ${JSON.stringify(keys)}`,
          );
        } finally {
          probe.disconnect();
        }
        throw e;
      }
      await assertExactlyOnce(id, 'cus_period_');
      console.log(`flush (periodic) test: completed in ${Date.now() - t0} ms`);
    });
  }, 240_000);

  it('answers POST /bulk-jobs with 202 or 503 (never 500) while Redis is down, and the job runs once', async () => {
    await withLogs(async () => {
      const t0 = Date.now();
      const n = 2_000;
      const stack = await startStack('down');
      const { prefix, api } = stack;
      let { redis, worker } = stack;
      expect((await fetch(`${api.base}/health/ready`)).status).toBe(200);

      await redis.stop();
      await eventually(
        'readiness 503 while Redis is down',
        async () => (await fetch(`${api.base}/health/ready`)).status === 503,
      );
      const ready = await fetch(`${api.base}/health/ready`);
      expect(ready.status).toBe(503);
      const readyBody = (await ready.json()) as {
        details: Record<string, { status: string }>;
      };
      expect(readyBody.details.redis.status).toBe('down');
      expect(readyBody.details.database.status).toBe('up');

      const postStarted = Date.now();
      const res = await submit(api.base, 'cus_down_', n);
      const postMs = Date.now() - postStarted;
      const body = (await res.json()) as BulkJob & { code?: string };
      console.log(
        `redis-down test: POST /bulk-jobs answered ${res.status} in ${postMs} ms: ${JSON.stringify(body)}`,
      );
      expect([202, 503], JSON.stringify(body)).toContain(res.status);
      const jobsCreated = async () =>
        (
          await db.pg.query(
            `SELECT job_id AS id FROM bulk_job_chunks
              WHERE chunk_no = 0 AND items::json -> 0 ->> 'customer_id' = 'cus_down_0'`,
          )
        ).rows.map((r: { id: string }) => r.id);

      let id = '';
      if (res.status === 202) {
        id = body.id;
        expect(body.status).toBe('pending');
        expect(res.headers.get('location')).toBe(`/bulk-jobs/${id}`);
        expect(await jobsCreated()).toEqual([id]);
      } else {
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        // A 503 tells the client to retry: nothing may have been stored, or the retry would run twice.
        expect(await jobsCreated()).toEqual([]);
      }

      // Redis comes back (empty) on the same port; a fresh worker reconciles at start-up.
      redis = await privateRedis(redis.port);
      await eventually(
        'readiness 200 once Redis is back',
        async () => (await fetch(`${api.base}/health/ready`)).status === 200,
        30_000,
      );
      await kill(worker);
      worker = await startWorker(prefix, redis.url);
      if (res.status === 503) id = await submitAccepted(api.base, 'cus_down_', n);
      await waitCompleted(api.base, id, 120_000);
      await assertExactlyOnce(id, 'cus_down_', n);
      expect(await jobsCreated()).toEqual([id]);
      console.log(`redis-down test: outcome ${res.status}, completed in ${Date.now() - t0} ms`);
    });
  }, 240_000);
});
