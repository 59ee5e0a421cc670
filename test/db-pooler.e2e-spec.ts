import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersLike, TERMINAL } from './support/bulk';
import { queryOnce } from './support/database';
import { startPgBouncer, type PgBouncer } from './support/pgbouncer';
import { dumpOnFailure, isAlive } from './support/processes';
import { createPrivateCluster, type PrivateCluster } from './support/resilience-db-cluster';
import { waitForBuiltDist } from './support/resilience-support';
import { faultRun, serviceEnv, startService, type RunningService } from './support/service';
import { timedRequests, type Answer } from './support/timed-requests';

/** PgBouncer's server connections: far fewer than the service's own pool. */
const POOL_MODE = 'transaction';
const BOUNCER_POOL_SIZE = 6;
const SERVICE_POOL_SIZE = 20;
const CONCURRENCY = 16;
const BULK_ITEMS = 5_000;
const CHUNK = 250;
/** Runs `task(0..n-1)` with at most `limit` in flight; answers in index order. */
async function pool<T>(n: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

/**
 * The built service behind Debian's PgBouncer 1.18 in **transaction** mode: 6 server connections
 * for a service pool of 20, no `DATABASE_DIRECT_URL`, so migrations, idempotency locks and job
 * long-polls must work without a session of their own (no session advisory locks, named prepared
 * statements, LISTEN or session SETs that would leak to other clients). Everything through HTTP,
 * checked in SQL on the private cluster behind the pooler; no answer may be a 5xx.
 */
describe('the service behind PgBouncer in transaction mode', () => {
  const { prefix, run, started, cleanup } = faultRun('dbpool');
  let cluster: PrivateCluster;
  let bouncer: PgBouncer;
  let svc: RunningService;
  const { answers, call } = timedRequests(() => svc.base, { Authorization: 'Bearer key_acme' });

  const sql = <T>(text: string, params: unknown[] = []) =>
    queryOnce<T>(cluster.url('app'), text, params);
  const post = (what: string, body: unknown, headers: Record<string, string> = {}) =>
    call(what, '/orders', { method: 'POST', headers, body, timeoutMs: 30_000 });

  const order = (customer: string, amount = 1) => ({
    customer_id: customer,
    amount,
    currency: 'EUR',
  });

  beforeAll(async () => {
    await waitForBuiltDist();
    cluster = started(await createPrivateCluster(), (c) => c.destroy());
    const pooler = startPgBouncer({
      host: '127.0.0.1',
      port: cluster.port,
      poolMode: POOL_MODE,
      poolSize: BOUNCER_POOL_SIZE,
    });
    bouncer = started(await pooler, (b) => b.stop());
    const env = serviceEnv({
      DATABASE_URL: bouncer.url('app'),
      DATABASE_POOL_MODE: POOL_MODE,
      DB_POOL_SIZE: String(SERVICE_POOL_SIZE),
      BULL_PREFIX: prefix,
      BULK_CHUNK_SIZE: String(CHUNK),
      // Keeps the 5,000-item job running for a few seconds, so a long-poll meets it running.
      BULK_RATE_LIMIT_CHUNKS_PER_SECOND: '5',
    });
    // No direct URL: migrations and long-polls go through the pooler too.
    delete env.DATABASE_DIRECT_URL;
    // Workers inside the API: the bulk job below runs there.
    const service = startService(env, { worker: false, timeoutMs: 90_000 });
    svc = started(await service, (s) => s.stop());
  }, 180_000);

  afterAll(cleanup, 60_000);

  const dump = () => dumpOnFailure({ api: () => svc.api.output(), pgbouncer: () => bouncer.log() });
  const ordersOf = (like: string) => ordersLike(cluster.url('app'), like);

  it(`creates 200 unkeyed orders, ${CONCURRENCY} at a time`, async () => {
    dump();
    const res = await pool(200, CONCURRENCY, (i) =>
      post('POST /orders', order(`pl_plain_${run}_${i}`, i + 1)),
    );
    expect(
      res.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body}`),
      'answers other than 201',
    ).toEqual([]);
    expect(await ordersOf(`pl\\_plain\\_${run}\\_%`)).toEqual({ n: 200, customers: 200 });
  });

  it('creates 200 keyed orders and replays each with the same body', async () => {
    dump();
    const key = (i: number) => `pl-${run}-${i}`;
    const body = (i: number) => order(`pl_keyed_${run}_${i}`, i + 1);
    const keyed = (i: number) =>
      post('POST /orders (Idempotency-Key)', body(i), { 'Idempotency-Key': key(i) });
    const first = await pool(200, CONCURRENCY, keyed);
    expect(
      first.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.body}`),
      'first answers other than 201',
    ).toEqual([]);
    expect(first.filter((a) => a.headers.get('idempotent-replayed') !== null)).toEqual([]);
    const replay = await pool(200, CONCURRENCY, keyed);
    const wrong = replay
      .map((a, i) => ({ i, a }))
      .filter(
        ({ i, a }) =>
          a.status !== 201 ||
          a.headers.get('idempotent-replayed') !== 'true' ||
          a.body !== first[i].body,
      )
      .map(
        ({ i, a }) =>
          `#${i}: ${a.status} replayed=${a.headers.get('idempotent-replayed')} ${a.body}`,
      );
    expect(wrong, 'replays that are not the stored 201').toEqual([]);
    expect(await ordersOf(`pl\\_keyed\\_${run}\\_%`)).toEqual({ n: 200, customers: 200 });
  });

  it('runs 50 concurrent requests with one key exactly once; another body with that key is 422', async () => {
    dump();
    const key = `pl-race-${run}`;
    const body = order(`pl_race_${run}`, 42);
    const res = await pool(50, 50, () =>
      post('POST /orders (Idempotency-Key)', body, { 'Idempotency-Key': key }),
    );
    const executed = res.filter(
      (a) => a.status === 201 && a.headers.get('idempotent-replayed') === null,
    );
    const replayed = res.filter(
      (a) =>
        (a.status === 201 || a.status === 200) && a.headers.get('idempotent-replayed') === 'true',
    );
    const inUse = res.filter((a) => a.status === 409 && a.json.code === 'idempotency_key_in_use');
    console.log(
      `db-pooler: 50 requests with one key: ${executed.length} executed, ${replayed.length} replayed, ${inUse.length} × 409 idempotency_key_in_use`,
    );
    expect(
      res
        .filter((a) => !executed.includes(a) && !replayed.includes(a) && !inUse.includes(a))
        .map((a) => `${a.status} ${a.body}`),
      'answers other than 201, a replay or 409 idempotency_key_in_use',
    ).toEqual([]);
    expect(executed).toHaveLength(1);
    for (const a of replayed) expect(a.body).toBe(executed[0].body);
    expect(await ordersOf(`pl\\_race\\_${run}`)).toEqual({ n: 1, customers: 1 });

    const reused = await post('POST /orders (Idempotency-Key)', order(`pl_race_${run}`, 43), {
      'Idempotency-Key': key,
    });
    expect(reused.status, reused.body).toBe(422);
    expect(reused.json.code).toBe('idempotency_key_reused');
    expect(await ordersOf(`pl\\_race\\_${run}`)).toEqual({ n: 1, customers: 1 });
  });

  it(`completes a ${BULK_ITEMS}-item bulk job exactly once; a long-poll returns about 1 s after it completes`, async () => {
    dump();
    const items = Array.from({ length: BULK_ITEMS }, (_, i) => order(`pl_bulk_${run}_${i}`, i + 1));
    const submitted = await call('POST /bulk-jobs', '/bulk-jobs', {
      method: 'POST',
      body: { operation: 'create_orders', items },
      timeoutMs: 30_000,
    });
    expect(submitted.status, submitted.body).toBe(202);
    const id = submitted.json.id as string;

    // Long-poll while it runs: each answer comes on a state change (pending → running → completed)
    // or after 30 s; the last one must arrive shortly after the job completed.
    let last: Answer | undefined;
    const polls: { sent: number; status: unknown }[] = [];
    for (const until = Date.now() + 120_000; Date.now() < until;) {
      last = await call('GET /bulk-jobs/{id} (Prefer: wait=30)', `/bulk-jobs/${id}`, {
        headers: { Prefer: 'wait=30' },
        timeoutMs: 40_000,
      });
      expect(last.status, last.body).toBe(200);
      polls.push({ sent: last.at, status: last.json.status });
      if (TERMINAL.includes(String(last.json.status))) break;
    }
    expect(last?.json).toMatchObject({
      status: 'completed',
      total_items: BULK_ITEMS,
      processed_items: BULK_ITEMS,
      succeeded: BULK_ITEMS,
      failed: 0,
    });
    const completedAt = Date.parse(String(last!.json.completed_at));
    const lag = last!.done - completedAt;
    console.log(
      `db-pooler: job ${id} completed ${completedAt - submitted.done} ms after submission; ` +
        `the long-poll answered ${lag} ms after completed_at (polls: ${JSON.stringify(polls.map((p) => p.status))})`,
    );
    expect(last!.at, 'the terminal answer came from a poll sent while the job ran').toBeLessThan(
      completedAt,
    );
    expect(lag, 'long-poll answer after completion (ms)').toBeLessThan(2_500);

    expect(await ordersOf(`pl\\_bulk\\_${run}\\_%`)).toEqual({
      n: BULK_ITEMS,
      customers: BULK_ITEMS,
    });
  }, 150_000);

  it('walks GET /orders?limit=7 over every order exactly once', async () => {
    dump();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const path: string = `/orders?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await call('GET /orders', path, { timeoutMs: 30_000 });
      expect(page.status, page.body).toBe(200);
      const data = page.json.data as { id: string }[];
      expect(data.length).toBeLessThanOrEqual(7);
      seen.push(...data.map((o) => o.id));
      cursor = page.json.next_cursor as string | null;
      pages++;
    } while (cursor);
    const stored = await sql<{ id: string }>('SELECT id FROM orders');
    console.log(`db-pooler: cursor walk of ${pages} pages saw ${seen.length} orders`);
    expect(new Set(seen).size, 'orders seen twice').toBe(seen.length);
    expect([...seen].sort()).toEqual(stored.map((r) => r.id).sort());
    expect(seen.length).toBe(200 + 200 + 1 + BULK_ITEMS);
  }, 120_000);

  it('answered every request, none with a 5xx', () => {
    expect(isAlive(svc.api), `API exited:\n${svc.api.output().slice(-3000)}`).toBe(true);
    expect(
      answers
        .filter((a) => a.error !== undefined || (a.status ?? 0) >= 500)
        .map((a) => `${a.what}: ${a.status ?? a.error} ${a.body}`),
    ).toEqual([]);
    expect(svc.api.output()).not.toMatch(/Unhandled error on/);
  });
});
