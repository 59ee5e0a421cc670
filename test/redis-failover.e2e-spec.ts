import { runMigrations } from '@app/database';
import { REDIS_COMMAND_TIMEOUT_MS } from '@app/queue';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database';
import { API_MAIN, freePort, start, WORKER_MAIN, type Proc } from './support/processes';
import { waitForBuiltDist } from './support/resilience-support';
import { startSentinelSet, type SentinelSet } from './support/sentinel';
import { startValidatingProxy, type ValidatingProxy } from './support/validating-proxy';
import { sleep } from './support/wait';

/**
 * Redis under Sentinel, on loopback only: a primary, a replica and three sentinels; the built API
 * and a separate worker find the primary through the sentinels. The primary is SIGKILLed while
 * bulk jobs run, after it took writes the replica never got (its replication link was cut first),
 * so the promoted replica lacks queue entries that only the reconciler can bring back.
 */

const RATE_LIMIT = 100;
const PROBE_TENANTS = 10;
const TENANTS = [
  'acme',
  'limited',
  ...Array.from({ length: PROBE_TENANTS }, (_, i) => `probe${i}`),
];
const key = (tenant: string) => `key_${tenant}`;
const headers = (tenant: string, extra: Record<string, string> = {}) => ({
  Authorization: `Bearer ${key(tenant)}`,
  'content-type': 'application/json',
  ...extra,
});

const JOBS = 6;
const PER_JOB = 3000;
const CHUNK = 100;
/**
 * Longer than readiness waits for Redis (at most REDIS_COMMAND_TIMEOUT_MS): a readiness probe sent
 * as the primary dies is answered while there is no primary at all.
 */
const DOWN_AFTER_MS = REDIS_COMMAND_TIMEOUT_MS + 1000;

/** One answer the service gave: when it was asked and answered, and what it said. */
interface Seen {
  what: string;
  sentAt: number;
  at: number;
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: Record<string, unknown>;
}

/**
 * Why an answer breaks the contract while Redis fails over, or null: success, 429 `rate_limited`
 * (probe tenants share a rate limit), or 503 with `Retry-After` (a `service_unavailable` problem,
 * or the Terminus body of readiness). Never a 500, never a dropped request.
 */
function offContract(s: Seen): string | null {
  if (s.status >= 200 && s.status < 300) return null;
  const problem = /^application\/problem\+json/.test(s.contentType ?? '');
  const retry = /^[1-9]\d*$/.test(s.retryAfter ?? '');
  if (s.status === 429 && problem && retry && s.body.code === 'rate_limited') return null;
  if (s.status === 503 && retry) {
    if (s.what === 'ready' && s.body.status === 'error') return null;
    if (s.what !== 'ready' && problem && s.body.code === 'service_unavailable') return null;
  }
  return `${s.what} ${s.status} (${s.contentType}, Retry-After ${s.retryAfter}): ${JSON.stringify(s.body)}`;
}

describe('Redis Sentinel failover (real processes, loopback)', () => {
  let set: SentinelSet;
  let db: TestDatabase;
  let pg: Client;
  const procs: Proc[] = [];
  let base = '';
  let proxy: ValidatingProxy | undefined;

  beforeAll(async () => {
    await waitForBuiltDist();
    set = await startSentinelSet({ downAfterMs: DOWN_AFTER_MS });
    db = await createTestDatabase('failover');
    await runMigrations(db.url);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      // A dead REDIS_URL: the sentinels must win.
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_SENTINELS: set.sentinels,
      REDIS_SENTINEL_NAME: 'mymaster',
      BULL_PREFIX: `fo_${randomBytes(4).toString('hex')}`,
      API_KEYS: TENANTS.map((t) => `${t}:${key(t)}`).join(','),
      CURSOR_SECRET: 'failover-cursor-secret',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      BULK_CHUNK_SIZE: String(CHUNK),
      LOG_LEVEL: 'log',
      LOG_FORMAT: 'text',
    };
    const port = await freePort();
    const api = start('node', [API_MAIN], {
      env: { ...env, PORT: String(port), RUN_WORKERS: 'false' },
    });
    procs.push(api);
    const worker = start('node', [WORKER_MAIN], { env });
    procs.push(worker);
    await Promise.all([
      api.waitFor(/API listening/, 60_000),
      worker.waitFor(/Worker started/, 60_000),
    ]);
    proxy = await startValidatingProxy(`http://127.0.0.1:${port}`);
    base = proxy.base;
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited(10_000).catch(() => null)));
    await pg?.end().catch(() => undefined);
    await db?.drop().catch(() => undefined);
    await set?.stop();
  }, 60_000);

  const call = async (
    method: string,
    path: string,
    tenant?: string,
    body?: unknown,
    extra = {},
  ) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: tenant ? headers(tenant, extra) : {},
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON
    }
    return { status: res.status, json, text, retryAfter: res.headers.get('retry-after'), res };
  };
  /** Sends at once; the answer as seen, or status 0 for a request that got none. */
  const observe = async (what: string, request: () => ReturnType<typeof call>): Promise<Seen> => {
    const sentAt = Date.now();
    try {
      const r = await request();
      const contentType = r.res.headers.get('content-type');
      return {
        what,
        sentAt,
        at: Date.now(),
        status: r.status,
        retryAfter: r.retryAfter,
        contentType,
        body: r.json,
      };
    } catch (e) {
      const body = { error: String(e) };
      return { what, sentAt, at: Date.now(), status: 0, retryAfter: null, contentType: null, body };
    }
  };

  const submit = async (tenant: string, label: string, n: number, priority = 'normal') => {
    const items = Array.from({ length: n }, (_, i) => ({
      customer_id: `${label}_${i}`,
      amount: i + 1,
      currency: 'EUR',
    }));
    return call('POST', '/bulk-jobs', tenant, { operation: 'create_orders', items, priority });
  };

  it('promotes the replica, never answers 500, loses and repeats nothing', async () => {
    onTestFailed(() => {
      for (const [name, p] of [
        ['api', procs[0]],
        ['worker', procs[1]],
      ] as const) {
        const lines = p.output().trim().split('\n');
        console.log(
          `--- ${name}, last 40 of ${lines.length} lines ---\n${lines.slice(-40).join('\n')}`,
        );
      }
    });
    const primaryAddr = `127.0.0.1:${set.primaryPort}`;
    const replicaAddr = `127.0.0.1:${set.replicaPort}`;
    const ready = await call('GET', '/health/ready');
    expect(ready.status, ready.text).toBe(200);
    expect(ready.json.details).toMatchObject({
      redis: { status: 'up', primary: primaryAddr, via: 'sentinel' },
    });

    const before = await call(
      'POST',
      '/orders',
      'acme',
      { customer_id: 'idem', amount: 7, currency: 'EUR' },
      {
        'Idempotency-Key': 'before-failover',
      },
    );
    expect(before.status, before.text).toBe(201);

    // Work in flight when the primary dies.
    const expected = new Map<string, number>();
    for (let j = 0; j < JOBS; j++) {
      const r = await submit('acme', `job${j}`, PER_JOB);
      expect(r.status, r.text).toBe(202);
      expected.set(r.json.id as string, PER_JOB);
    }
    const running = [...expected.keys()];

    // Traffic all along: readiness, reads, writes and small bulk jobs from the probe tenants.
    const seen: Seen[] = [];
    let probing = true;
    const probe = (async () => {
      for (let i = 0; probing; i++) {
        const tenant = `probe${i % PROBE_TENANTS}`;
        const answers = [
          observe('ready', () => call('GET', '/health/ready')),
          observe('list', () => call('GET', '/orders?limit=1', tenant)),
          observe('create', () =>
            call('POST', '/orders', tenant, { customer_id: `p${i}`, amount: 1, currency: 'EUR' }),
          ),
        ];
        if (i % 5 === 0) answers.push(observe('bulk', () => submit(tenant, `probe${i}`, 20)));
        for (const s of await Promise.all(answers)) {
          seen.push(s);
          if (s.what === 'bulk' && s.status === 202) expected.set(s.body.id as string, 20);
        }
        await sleep(100);
      }
    })();

    // Mid-job: some chunks applied, most not.
    const totalChunks = (JOBS * PER_JOB) / CHUNK;
    const until = Date.now() + 60_000;
    for (;;) {
      const { rows } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM bulk_job_chunks WHERE state = 'done'`,
      );
      if (rows[0].n >= 3 && rows[0].n < totalChunks / 2) break;
      if (rows[0].n >= totalChunks / 2) throw new Error('jobs ran too fast to fail over mid-job');
      if (Date.now() > until) throw new Error('no chunk applied in 60 s');
      await sleep(20);
    }

    // Cut replication and keep the replica from coming back (existing clients stay signed in),
    // then give the primary writes the replica will never see: a whole job's queue entries.
    const primary = set.direct(set.primaryPort);
    await primary.call('CONFIG', 'SET', 'requirepass', randomBytes(12).toString('hex'));
    await primary.call('CLIENT', 'KILL', 'TYPE', 'replica');
    // Low priority: acme's running jobs go first, so no worker turn applies it before the kill (the
    // fair scheduler would otherwise give a new job of the tenant a turn at once).
    const lost = await submit('acme', 'lost', 500, 'low');
    expect(lost.status, lost.text).toBe(202);
    const lostId = lost.json.id as string;
    expected.set(lostId, 500);
    await sleep(300);
    const { rows: lostPending } = await pg.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending'`,
      [lostId],
    );
    expect(lostPending[0].n, 'the lost job must still be pending when the primary dies').toBe(
      500 / CHUNK,
    );

    set.procs.primary.child.kill('SIGKILL');
    await set.procs.primary.exited(10_000);
    const killedAt = Date.now();
    // Readiness asked as the primary dies: there is no primary to answer it for a while.
    const firstReady = observe('ready', () => call('GET', '/health/ready'));
    // The kill landed mid-job: chunks still pending now were pending then (a done chunk stays done).
    const { rows: atKill } = await pg.query<{ running: number; lost: number }>(
      `SELECT count(*) FILTER (WHERE job_id = ANY($1))::int AS running,
              count(*) FILTER (WHERE job_id = $2)::int AS lost
         FROM bulk_job_chunks WHERE state = 'pending'`,
      [running, lostId],
    );
    expect(atKill[0].running, 'chunks of the running jobs pending at the kill').toBeGreaterThan(0);
    expect(atKill[0].lost, 'chunks of the lost job pending at the kill').toBeGreaterThan(0);
    const replica = set.direct(set.replicaPort);
    let promotedAt = 0;
    /** When the replica last said it was still a replica: until then no primary existed. */
    let noPrimaryUntil = killedAt;
    while (!promotedAt) {
      const asked = Date.now();
      const [role] = (await replica.call('ROLE')) as [string];
      if (role === 'slave') noPrimaryUntil = asked;
      if ((await set.masterAddress()) === replicaAddr) promotedAt = Date.now();
      else if (Date.now() - killedAt > 30_000) throw new Error('replica not promoted in 30 s');
      else await sleep(50);
    }
    seen.push(await firstReady);
    // Readiness asked and answered while no primary existed said so (503, Retry-After).
    const blind = seen.filter(
      (s) => s.what === 'ready' && s.sentAt >= killedAt && s.at <= noPrimaryUntil,
    );
    expect(blind.length, 'readiness answers while no primary existed').toBeGreaterThan(0);
    expect(blind.filter((s) => s.status !== 503)).toEqual([]);
    let readyAt = 0;
    let readyBody: Record<string, unknown> = {};
    while (!readyAt) {
      const r = await observe('ready', () => call('GET', '/health/ready'));
      seen.push(r);
      if (r.status === 200) {
        readyAt = r.at;
        readyBody = r.body;
      } else if (Date.now() - killedAt > 60_000) {
        throw new Error(`not ready in 60 s: ${JSON.stringify(r.body)}`);
      } else await sleep(100);
    }
    expect(readyBody.details).toMatchObject({
      redis: { status: 'up', primary: replicaAddr, via: 'sentinel' },
    });

    // Traffic goes on a little past recovery, then every job must complete, each item exactly once.
    await sleep(2000);
    probing = false;
    await probe;
    const ids = [...expected.keys()];
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await pg.query<{ open: number }>(
        `SELECT count(*)::int AS open FROM bulk_jobs WHERE id = ANY($1) AND status <> 'completed'`,
        [ids],
      );
      if (rows[0].open === 0) break;
      if (Date.now() > deadline) {
        const { rows: open } = await pg.query(
          `SELECT id, status FROM bulk_jobs WHERE id = ANY($1) AND status <> 'completed'`,
          [ids],
        );
        throw new Error(`jobs not completed: ${JSON.stringify(open)}`);
      }
      await sleep(250);
    }
    const completedAt = Date.now();

    const { rows: jobs } = await pg.query<{ id: string; total_items: number; succeeded: number }>(
      `SELECT j.id, j.total_items, sum(c.succeeded)::int AS succeeded
         FROM bulk_jobs j JOIN bulk_job_chunks c ON c.job_id = j.id
        WHERE j.id = ANY($1) GROUP BY j.id, j.total_items`,
      [ids],
    );
    expect(jobs).toHaveLength(ids.length);
    for (const j of jobs) {
      expect(j.total_items).toBe(expected.get(j.id));
      expect(j.succeeded, j.id).toBe(j.total_items);
    }
    const itemsExpected = [...expected.values()].reduce((a, b) => a + b, 0);
    const { rows: orders } = await pg.query<{ n: number; distinct_n: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (tenant_id, customer_id))::int AS distinct_n
         FROM orders WHERE customer_id ~ '^(job|probe|lost)[0-9]*_'`,
    );
    expect(orders[0]).toEqual({ n: itemsExpected, distinct_n: itemsExpected });

    // The lost job's entries came back through the reconciler.
    const workerOut = procs[1].output();
    expect(workerOut).toMatch(/re-enqueued \d+ lost unit\(s\)/);

    // Every answer, before, during and after the outage, kept the contract: never a 500.
    expect(seen.map(offContract).filter(Boolean)).toEqual([]);
    // Traffic went on through the outage.
    expect(
      seen.filter((s) => s.what !== 'ready' && s.sentAt <= readyAt && s.at >= killedAt).length,
    ).toBeGreaterThan(0);
    const unavailable = seen.filter((s) => s.status === 503);

    // Idempotency keys still work: an old key replays, a new one records and replays.
    const replay = await call(
      'POST',
      '/orders',
      'acme',
      { customer_id: 'idem', amount: 7, currency: 'EUR' },
      {
        'Idempotency-Key': 'before-failover',
      },
    );
    expect(replay.status).toBe(201);
    expect(replay.res.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json.id).toBe(before.json.id);
    const fresh = await call(
      'POST',
      '/orders',
      'acme',
      { customer_id: 'idem2', amount: 8, currency: 'EUR' },
      {
        'Idempotency-Key': 'after-failover',
      },
    );
    expect(fresh.status).toBe(201);
    const freshAgain = await call(
      'POST',
      '/orders',
      'acme',
      { customer_id: 'idem2', amount: 8, currency: 'EUR' },
      {
        'Idempotency-Key': 'after-failover',
      },
    );
    expect(freshAgain.json.id).toBe(fresh.json.id);
    expect(freshAgain.res.headers.get('idempotent-replayed')).toBe('true');

    // Rate limits still hold, counted on the new primary.
    for (let i = 0; i < RATE_LIMIT; i++) {
      const r = await call('GET', '/orders?limit=1', 'limited');
      expect(r.status, `request ${i + 1}`).toBe(200);
    }
    const limited = await call('GET', '/orders?limit=1', 'limited');
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);

    // The new primary is what /metrics reports, with the change counted.
    const metrics = await call('GET', '/metrics');
    expect(metrics.text).toContain(`redis_primary_info{address="${replicaAddr}",via="sentinel"} 1`);
    expect(metrics.text).toMatch(/redis_failovers_total [1-9]/);

    console.log(
      `[failover] primary SIGKILLed mid-job (${atKill[0].running} chunks of the running jobs and ` +
        `${atKill[0].lost} of the lost job pending); sentinels promoted the replica after ${promotedAt - killedAt} ms; ` +
        `first readiness 200 after ${readyAt - killedAt} ms; all ${ids.length} jobs (${itemsExpected} items) ` +
        `completed ${completedAt - killedAt} ms after the kill; ${seen.length} requests observed ` +
        `(${blind.length} readiness answers while no primary existed), ` +
        `${unavailable.length} answered 503 (${unavailable.map((s) => s.what).join(',') || 'none'}), ` +
        `${seen.filter((s) => s.status === 429).length} answered 429, none 500`,
    );
  }, 300_000);
});
