import { runMigrations } from '@app/database';
import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database';
import { API_MAIN, freePort, start, type Proc } from './support/processes';
import { deleteBullKeys } from './support/resilience-db-redis';
import { startValidatingProxy, type ValidatingProxy } from './support/validating-proxy';
import { sleep } from './support/wait';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
/**
 * Load before the 'before' RSS measurement, so that lazily loaded modules, JIT code, the filled DB
 * pool and Bull's clients are not counted as growth. Measured on this machine (60 s soak): without
 * it RSS grew 110.7 -> 117.8 MB (+6.4 %), with 10 s of it 113.3 -> 115.6 MB (+2.0 %). 0 disables it.
 */
const WARMUP_SECONDS = Number(process.env.SOAK_WARMUP_SECONDS ?? 10);
const CONNECTIONS = 10;
const IDLE_PAUSE_MS = 5_000;
const AUTH = { Authorization: 'Bearer key_acme' };
const JSON_TYPE = { 'content-type': 'application/json' };
const mb = (kb: number) => (kb / 1024).toFixed(1);

/** VmRSS of a process in KiB, from /proc/<pid>/status. */
function vmRssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

/**
 * Forces a full GC in the API process from the outside, through the V8 inspector it was started with
 * (`--inspect`, Chrome DevTools protocol `HeapProfiler.collectGarbage`): the app itself exposes no
 * GC hook, and `--expose-gc` alone only gives the process's own code a `gc()`. Node 20's WebSocket
 * client still needs `--experimental-websocket`, hence a short-lived helper process.
 */
function forceGc(inspectorUrl: string): Promise<void> {
  const script = `
    const ws = new WebSocket(process.argv[1]);
    const fail = (m) => { console.error(m); process.exit(2); };
    setTimeout(() => fail('inspector timeout'), 20000).unref();
    ws.onerror = (e) => fail('inspector error ' + (e.message || e.type));
    ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    ws.onmessage = (m) => {
      const r = JSON.parse(String(m.data));
      if (r.id !== 1) return;
      ws.close();
      if (r.error) fail(JSON.stringify(r.error)); else process.exit(0);
    };`;
  return new Promise((ok, fail) =>
    execFile(
      process.execPath,
      ['--experimental-websocket', '--no-warnings', '-e', script, inspectorUrl],
      { timeout: 30_000 },
      (err, _stdout, stderr) =>
        err ? fail(new Error(`forced GC failed: ${err.message} ${stderr}`)) : ok(),
    ),
  );
}

interface EndpointStats {
  statuses: Record<string, number>;
  samples: string[];
}

/**
 * One built API process (workers in-process) under ~10 connections of mixed traffic for
 * SOAK_SECONDS (default 60): creates with and without Idempotency-Key (and their replays), reads,
 * filtered lists, small create_orders bulk jobs and job polls. No 5xx is allowed, every replay must
 * be byte-identical, no order may be created twice, and the RSS (after a forced GC and a 5 s idle
 * pause, before vs after the load, with the queue drained both times) may grow by at most 10 %.
 */
describe('soak: mixed load against one API process', () => {
  let db: TestDatabase;
  let api: Proc;
  let proxy: ValidatingProxy | undefined;
  let base: string;
  let inspectorUrl: string;
  const prefix = `soak_${randomBytes(4).toString('hex')}`;
  const run = randomBytes(4).toString('hex');
  const orderIds: string[] = [];
  const jobIds: string[] = [];
  let seq = 0;
  const customer = (kind: string) => `soak_${run}_${kind}_${seq++}`;

  const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(text, params)).rows as T[];
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase('soak');
    await runMigrations(db.url);
    const port = await freePort();
    const inspectPort = await freePort();
    api = start('node', ['--expose-gc', `--inspect=127.0.0.1:${inspectPort}`, API_MAIN], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        PORT: String(port),
        API_KEYS: 'acme:key_acme',
        CURSOR_SECRET: 'x',
        RATE_LIMIT_PER_MINUTE: '0',
        // The mix submits ~20 small jobs a second for one tenant; the cap on a tenant's unfinished
        // jobs (a fairness guard, see fair-scheduling.e2e-spec.ts) is not what this measures.
        TENANT_MAX_ACTIVE_JOBS: '100000',
        BULL_PREFIX: prefix,
        RUN_WORKERS: 'true',
        LOG_LEVEL: 'log',
        NODE_ENV: 'test',
      },
    });
    await api.waitFor(/API listening/, 60_000);
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(api.output());
    if (!m) throw new Error(`no inspector URL in output:\n${api.output().slice(-2000)}`);
    inspectorUrl = m[1];
    // Every answer of the load is checked against openapi.json too; the RSS measured is the API's.
    proxy = await startValidatingProxy(`http://127.0.0.1:${port}`);
    base = proxy.base;

    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${base}/orders`, {
        method: 'POST',
        headers: { ...AUTH, ...JSON_TYPE },
        body: JSON.stringify({
          customer_id: customer('setup'),
          amount: i,
          currency: 'EUR',
          status: i % 3 === 0 ? 'paid' : 'pending',
        }),
      });
      if (res.status !== 201)
        throw new Error(`setup POST /orders: ${res.status} ${await res.text()}`);
      orderIds.push(((await res.json()) as { id: string }).id);
    }
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/bulk-jobs`, {
        method: 'POST',
        headers: { ...AUTH, ...JSON_TYPE },
        body: JSON.stringify({
          operation: 'create_orders',
          items: Array.from({ length: 20 }, (_, n) => ({
            customer_id: customer('bulk'),
            amount: n,
            currency: 'EUR',
          })),
        }),
      });
      if (res.status !== 202)
        throw new Error(`setup POST /bulk-jobs: ${res.status} ${await res.text()}`);
      jobIds.push(((await res.json()) as { id: string }).id);
    }
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    if (api && api.child.exitCode === null && api.child.signalCode === null) {
      api.child.kill('SIGTERM');
      await api.exited(35_000).catch(() => {
        api.child.kill('SIGKILL');
      });
    }
    await db?.drop();
    await deleteBullKeys(prefix);
  }, 120_000);

  /** Waits until no bulk job is pending or processing (the in-process worker is idle). */
  const drained = async (timeoutMs = 300_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [{ n }] = await sql<{ n: string }>(
        `SELECT count(*) AS n FROM bulk_jobs WHERE status IN ('pending', 'processing')`,
      );
      if (Number(n) === 0) return;
      if (Date.now() > until) throw new Error(`${n} bulk jobs still running after ${timeoutMs} ms`);
      await sleep(500);
    }
  };

  /**
   * RSS of an idle API: queue drained, a 5 s idle pause, a forced full GC, then the minimum VmRSS of
   * 10 samples over 2.5 s (the minimum smooths out timers such as Bull's polling and the reconciler).
   */
  const idleRss = async (): Promise<number> => {
    await drained();
    await sleep(IDLE_PAUSE_MS);
    await forceGc(inspectorUrl);
    let min = Infinity;
    for (let i = 0; i < 10; i++) {
      await sleep(250);
      min = Math.min(min, vmRssKb(api.child.pid as number));
    }
    return min;
  };

  const stats = new Map<string, EndpointStats>();
  const record = (name: string, status: number, body: string) => {
    const s = stats.get(name) ?? { statuses: {}, samples: [] };
    stats.set(name, s);
    s.statuses[status] = (s.statuses[status] ?? 0) + 1;
    if ((status < 200 || status >= 300) && s.samples.length < 3)
      s.samples.push(`${status} ${body.slice(0, 300)}`);
  };
  const counters = { replays: 0, replayMismatches: 0, keyedCreated: 0 };
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
  const orderBody = (kind: string) =>
    JSON.stringify({
      customer_id: customer(kind),
      amount: Math.floor(Math.random() * 100_000),
      currency: pick(['EUR', 'USD', 'GBP']),
      ...(Math.random() < 0.3 ? { status: 'paid' } : {}),
    });

  /** The request under this lap's key and body (chosen by the keyed POST, sent again by the replay). */
  const withKey = <R extends { headers?: Record<string, string> }>(
    req: R,
    ctx: Record<string, unknown>,
  ) => ({
    ...req,
    headers: { ...req.headers, ...JSON_TYPE, 'Idempotency-Key': ctx.key as string },
    body: ctx.keyBody as string,
  });

  /** One connection's cycle; autocannon loops over it and resets `ctx` at each lap. */
  const requests = (): autocannon.Request[] => [
    {
      method: 'POST',
      path: '/orders',
      headers: JSON_TYPE,
      setupRequest: (req) => ({ ...req, body: orderBody('plain') }),
      onResponse: (status, body, ctx) => {
        record('POST /orders', status, body);
        if (status === 201) ctx.orderId = (JSON.parse(body) as { id: string }).id;
      },
    },
    {
      method: 'GET',
      setupRequest: (req, ctx) => ({
        ...req,
        path: `/orders/${(ctx.orderId as string | undefined) ?? pick(orderIds)}`,
      }),
      onResponse: (status, body) => record('GET /orders/{id}', status, body),
    },
    {
      method: 'POST',
      path: '/orders',
      setupRequest: (req, ctx) => {
        ctx.key = `soak-${run}-${randomBytes(8).toString('hex')}`;
        ctx.keyBody = orderBody('keyed');
        return withKey(req, ctx);
      },
      onResponse: (status, body, ctx, headers) => {
        record('POST /orders (Idempotency-Key)', status, body);
        if (status === 201 && headers['idempotent-replayed'] === undefined) counters.keyedCreated++;
        ctx.keyResponse = `${status} ${body}`;
      },
    },
    {
      method: 'GET',
      setupRequest: (req) => ({
        ...req,
        path: `/orders?limit=20${Math.random() < 0.5 ? `&status=${pick(['pending', 'paid'])}` : ''}`,
      }),
      onResponse: (status, body) => record('GET /orders?limit=20', status, body),
    },
    {
      // The same key and body again: the stored response, byte for byte, and nothing new.
      method: 'POST',
      path: '/orders',
      setupRequest: withKey,
      onResponse: (status, body, ctx, headers) => {
        record('POST /orders (replay)', status, body);
        counters.replays++;
        if (headers['idempotent-replayed'] !== 'true' || `${status} ${body}` !== ctx.keyResponse)
          counters.replayMismatches++;
      },
    },
    {
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/orders/${pick(orderIds)}` }),
      onResponse: (status, body) => record('GET /orders/{id}', status, body),
    },
    {
      method: 'POST',
      path: '/bulk-jobs',
      headers: JSON_TYPE,
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({
          operation: 'create_orders',
          items: Array.from({ length: 10 + Math.floor(Math.random() * 91) }, (_, n) => ({
            customer_id: customer('bulk'),
            amount: n,
            currency: 'EUR',
            ref: `r${n}`,
          })),
        }),
      }),
      onResponse: (status, body, ctx) => {
        record('POST /bulk-jobs', status, body);
        if (status === 202) ctx.jobId = (JSON.parse(body) as { id: string }).id;
      },
    },
    {
      method: 'GET',
      setupRequest: (req, ctx) => ({
        ...req,
        path: `/bulk-jobs/${(ctx.jobId as string | undefined) ?? pick(jobIds)}`,
      }),
      onResponse: (status, body) => record('GET /bulk-jobs/{id}', status, body),
    },
    {
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/orders?limit=20&status=pending` }),
      onResponse: (status, body) => record('GET /orders?limit=20', status, body),
    },
    {
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/bulk-jobs/${pick(jobIds)}` }),
      onResponse: (status, body) => record('GET /bulk-jobs/{id}', status, body),
    },
  ];

  const load = (seconds: number) =>
    autocannon({
      url: base,
      connections: CONNECTIONS,
      duration: seconds,
      timeout: 30,
      headers: AUTH,
      requests: requests(),
    });

  it(
    `serves ${SOAK_SECONDS} s of mixed load without a 5xx or memory growth`,
    async () => {
      if (WARMUP_SECONDS > 0) {
        // Lazily loaded code paths, JIT, the full DB pool and Bull's clients are not growth.
        await load(WARMUP_SECONDS);
        stats.clear(); // per-endpoint figures are for the measured load; the counters run on
      }
      const rssBefore = await idleRss();

      const result = await load(SOAK_SECONDS);
      const loadEnded = Date.now();
      await drained();
      const drainS = (Date.now() - loadEnded) / 1000;
      const rssAfter = await idleRss();

      const non2xx = Object.fromEntries(
        Object.entries(result.statusCodeStats)
          .filter(([s]) => Number(s) < 200 || Number(s) >= 300)
          .map(([s, v]) => [s, v.count]),
      );
      console.log('soak: status codes', result.statusCodeStats, 'non-2xx', non2xx);
      console.log(
        'soak: per endpoint',
        Object.fromEntries([...stats].map(([k, v]) => [k, v.statuses])),
      );
      for (const [k, v] of stats)
        if (v.samples.length) console.log(`soak: ${k} non-2xx`, v.samples);
      console.log(
        `soak: errors=${result.errors} timeouts=${result.timeouts} replays=${counters.replays} ` +
          `replayMismatches=${counters.replayMismatches} keyedCreated=${counters.keyedCreated} ` +
          `drain after load=${drainS.toFixed(1)} s warm-up=${WARMUP_SECONDS} s ` +
          `rps avg=${result.requests.average} p97.5 latency=${result.latency.p97_5} ms max=${result.latency.max} ms`,
      );
      console.log(
        `soak: ${result.requests.total} requests in ${result.duration} s, 5xx=${result['5xx']}, ` +
          `p50=${result.latency.p50} ms, p99=${result.latency.p99} ms, ` +
          `rss before=${mb(rssBefore)} MB after=${mb(rssAfter)} MB`,
      );

      // Data after the load: every job completed in full, nothing created twice.
      const [jobs] = await sql<{ n: string; bad: string; items: string }>(
        `SELECT count(*) AS n, coalesce(sum(total_items), 0) AS items,
                count(*) FILTER (WHERE status <> 'completed' OR succeeded <> total_items
                                 OR processed_items <> total_items OR failed <> 0) AS bad
           FROM bulk_jobs`,
      );
      const [orders] = await sql<{ bulk: string; dupes: string; keyed: string }>(
        `SELECT count(*) FILTER (WHERE customer_id LIKE $1) AS bulk,
                count(*) FILTER (WHERE customer_id LIKE $2) AS keyed,
                count(*) - count(DISTINCT customer_id) AS dupes
           FROM orders`,
        [`soak_${run}_bulk_%`, `soak_${run}_keyed_%`],
      );
      console.log(
        `soak: ${jobs.n} bulk jobs (${jobs.items} items) all checked, ${orders.bulk} bulk orders, ` +
          `${orders.keyed} keyed orders, duplicates=${orders.dupes}`,
      );

      expect(api.child.exitCode, api.output().slice(-3000)).toBeNull();
      expect(api.output()).not.toMatch(/Unhandled error on/);
      expect(result.requests.total).toBeGreaterThan(0);
      expect(result['5xx'], JSON.stringify(non2xx)).toBe(0);
      expect(result.errors, 'connection errors').toBe(0);
      expect(result.timeouts, 'timeouts').toBe(0);
      expect(non2xx, 'every request of the mix is valid').toEqual({});
      expect(counters.replays).toBeGreaterThan(0);
      expect(counters.replayMismatches, 'replays that differ from the stored response').toBe(0);
      expect(Number(jobs.bad), 'bulk jobs not completed in full').toBe(0);
      expect(Number(orders.bulk)).toBe(Number(jobs.items));
      expect(Number(orders.dupes), 'orders created twice').toBe(0);
      // Keyed creates whose 201 arrived, plus at most one per connection cut off at each run's end.
      const runs = WARMUP_SECONDS > 0 ? 2 : 1;
      expect(Number(orders.keyed)).toBeGreaterThanOrEqual(counters.keyedCreated);
      expect(Number(orders.keyed)).toBeLessThanOrEqual(counters.keyedCreated + runs * CONNECTIONS);
      expect(
        rssAfter,
        `RSS grew from ${mb(rssBefore)} MB to ${mb(rssAfter)} MB`,
      ).toBeLessThanOrEqual(rssBefore * 1.1);
    },
    (WARMUP_SECONDS + SOAK_SECONDS) * 1000 + 900_000,
  );
});
