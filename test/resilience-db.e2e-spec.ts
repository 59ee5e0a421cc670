import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersLike, PROCESSED_ITEMS_SQL, storedItemsSql, TERMINAL } from './support/bulk';
import { type Proc, isAlive } from './support/processes';
import { queryOnce } from './support/database';
import { createPrivateCluster, type PrivateCluster } from './support/resilience-db-cluster';
import { faultRun, serviceEnv, startService, type RunningService } from './support/service';
import { timedRequests, type Answer, type TimedRequest } from './support/timed-requests';
import { sleep } from './support/wait';

const TOTAL = 20_000;

/**
 * PostgreSQL goes away in the middle of a 20,000-item bulk job and comes back. A private cluster
 * (the shared server is never touched) is stopped with `pg_ctl stop -m fast` once the worker has
 * applied its first chunk. While it is down every API answer must be a 503 (problem+json with
 * Retry-After and `service_unavailable`, or the Terminus body for readiness), never a 500 and never
 * a dropped connection. After `pg_ctl start` the job must finish with every item applied exactly once.
 */
describe('PostgreSQL restart in the middle of a bulk job', () => {
  const { prefix, run, started, cleanup } = faultRun('resdb');
  let cluster: PrivateCluster;
  let svc: RunningService;

  const sql = <T>(text: string, params: unknown[] = []) =>
    queryOnce<T>(cluster.url('app'), text, params);

  beforeAll(async () => {
    cluster = started(await createPrivateCluster(), (c) => c.destroy());
    const env = serviceEnv({
      DATABASE_URL: cluster.url('app'),
      BULL_PREFIX: prefix,
    });
    svc = started(await startService(env), (s) => s.stop());
  }, 180_000);

  afterAll(cleanup, 60_000);

  const { call } = timedRequests(() => svc.base);
  /** One request, recorded with the send time `at` (a round of probes shares one tick). */
  const probe = (name: string, path: string, spec: TimedRequest = {}, at = Date.now()) =>
    call(name, path, { ...spec, at });

  it('answers 503 (never 500) while the database is down and completes the job exactly once after it returns', async () => {
    const items = Array.from({ length: TOTAL }, (_, i) => ({
      customer_id: `res_${run}_${i}`,
      amount: i,
      currency: 'EUR',
      ref: `r${i}`,
    }));
    const { api, worker } = svc as Required<RunningService>;
    const submitted = await probe('POST /bulk-jobs', '/bulk-jobs', {
      method: 'POST',
      body: { operation: 'create_orders', items },
      timeoutMs: 60_000,
    });
    expect(submitted.status, submitted.error ?? submitted.body).toBe(202);
    const job = submitted.json as { id: string; total_items: number };
    expect(job.total_items).toBe(TOTAL);

    // Wait for the first committed chunk, then pull the plug.
    let processedAtStop = 0;
    const watcher = new Client({ connectionString: cluster.url('app') });
    watcher.on('error', () => undefined);
    await watcher.connect();
    try {
      const until = Date.now() + 120_000;
      for (;;) {
        const { rows } = await watcher.query<{ processed_items: number }>(PROCESSED_ITEMS_SQL, [
          job.id,
        ]);
        processedAtStop = rows[0].processed_items;
        if (processedAtStop > 0) break;
        if (Date.now() > until)
          throw new Error(`job never started:\n${worker.output().slice(-3000)}`);
        await sleep(20);
      }
    } finally {
      await watcher.end().catch(() => undefined);
    }
    expect(processedAtStop, 'the outage must hit a running job').toBeLessThan(TOTAL);
    const stoppedAt = Date.now();
    await cluster.stop('fast');
    console.log(
      `resilience-db: stopped Postgres at processed_items=${processedAtStop}/${TOTAL} (stop took ${Date.now() - stoppedAt} ms)`,
    );

    // While it is down: probe every 200 ms for ~5 s.
    const probes: Answer[] = [];
    const outageKey = `outage-${run}`;
    const orderBody = (customer: string) => ({ customer_id: customer, amount: 1, currency: 'EUR' });
    const outageStart = Date.now();
    while (Date.now() - outageStart < 5_000) {
      const tick = Date.now();
      probes.push(
        ...(await Promise.all([
          probe('GET /orders', '/orders?limit=5', {}, tick),
          probe(
            'POST /orders',
            '/orders',
            { method: 'POST', body: orderBody(`outage_nokey_${run}`) },
            tick,
          ),
          probe(
            'POST /orders (Idempotency-Key)',
            '/orders',
            {
              method: 'POST',
              headers: { 'Idempotency-Key': outageKey },
              body: orderBody(`outage_key_${run}`),
            },
            tick,
          ),
          probe('GET /bulk-jobs/{id}', `/bulk-jobs/${job.id}`, {}, tick),
          probe('GET /health/ready', '/health/ready', {}, tick),
        ])),
      );
      await sleep(Math.max(0, 200 - (Date.now() - tick)));
    }
    const outageMs = Date.now() - stoppedAt;

    const byStatus: Record<string, number> = {};
    for (const p of probes) {
      const k = `${p.what} -> ${p.status ?? `ERROR ${p.error}`}`;
      byStatus[k] = (byStatus[k] ?? 0) + 1;
    }
    console.log(`resilience-db: ${probes.length} probes while down:`, byStatus);

    // No connection errors: the API process stays up and answers.
    expect(
      probes.filter((p) => p.error),
      'requests that got no HTTP answer',
    ).toEqual([]);
    expect(isAlive(api), `API exited:\n${api.output().slice(-3000)}`).toBe(true);
    const wrong: Answer[] = [];
    for (const p of probes) {
      if (p.what === 'GET /health/ready') {
        const body = p.json as {
          status?: string;
          details?: Record<string, { status: string }>;
        };
        if (
          p.status !== 503 ||
          body.status !== 'error' ||
          body.details?.database?.status !== 'down'
        )
          wrong.push(p);
      } else {
        const { code, status } = p.json;
        if (
          p.status !== 503 ||
          status !== 503 ||
          code !== 'service_unavailable' ||
          !p.headers.get('content-type')?.startsWith('application/problem+json') ||
          !/^\d+$/.test(p.retryAfter ?? '') ||
          Number(p.retryAfter) <= 0
        )
          wrong.push(p);
      }
    }
    expect(wrong, 'answers other than the expected 503 while Postgres was down').toEqual([]);
    expect(probes.filter((p) => p.status === 500)).toEqual([]);
    expect(probes.length, 'at least 10 rounds of 5 probes').toBeGreaterThanOrEqual(5 * 10);

    // Back up: the job must finish on its own.
    await cluster.start();
    const restartedAt = Date.now();
    let final: Record<string, unknown> | undefined;
    const seen: Record<string, number> = {};
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      const p = await probe('GET /bulk-jobs/{id}', `/bulk-jobs/${job.id}`, {
        headers: { Prefer: 'wait=10' },
      });
      if (p.error) throw new Error(`API stopped answering after the restart: ${p.error}`);
      seen[String(p.status)] = (seen[String(p.status)] ?? 0) + 1;
      if (p.status === 200) {
        if (TERMINAL.includes(String(p.json.status))) {
          final = p.json;
          break;
        }
      } else {
        expect(p.status, p.body).toBe(503);
        await sleep(500);
      }
    }
    console.log(
      `resilience-db: job ${String(final?.status)} ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after restart; polls after restart by status:`,
      seen,
    );
    expect(
      final,
      `job did not finish within 120 s after the restart; worker output:\n${worker.output().slice(-4000)}`,
    ).toBeDefined();
    expect(final).toMatchObject({
      status: 'completed',
      total_items: TOTAL,
      processed_items: TOTAL,
      succeeded: TOTAL,
      failed: 0,
      progress: 100,
    });

    // Exactly once: one order per item, every item pointing at its own order.
    expect(await ordersLike(cluster.url('app'), `res_${run}_%`)).toEqual({
      n: TOTAL,
      customers: TOTAL,
    });
    const itemStates = await sql<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM (${storedItemsSql('c.job_id = $1')}) i GROUP BY status`,
      [job.id],
    );
    expect(itemStates.map((r) => [r.status, Number(r.n)])).toEqual([['succeeded', TOTAL]]);
    const [linked] = await sql<{ n: string; distinct_results: string }>(
      `SELECT count(*) AS n, count(DISTINCT i.result_id) AS distinct_results
         FROM (${storedItemsSql('c.job_id = $1')}) i JOIN orders o ON o.id = i.result_id
        WHERE o.customer_id = 'res_${run}_' || i.idx AND o.amount = i.idx`,
      [job.id],
    );
    expect(Number(linked.n)).toBe(TOTAL);
    expect(Number(linked.distinct_results)).toBe(TOTAL);
    const [counters] = await sql<Record<string, number>>(
      `SELECT total_items, processed_items, succeeded, failed FROM bulk_jobs WHERE id = $1`,
      [job.id],
    );
    expect(counters).toEqual({
      total_items: TOTAL,
      processed_items: TOTAL,
      succeeded: TOTAL,
      failed: 0,
    });
    const events = await sql<{ type: string }>(`SELECT type FROM events WHERE job_id = $1`, [
      job.id,
    ]);
    expect(events.map((e) => e.type)).toEqual(['bulk_job.completed']);

    // Nothing written by the requests that got 503; a retry of the keyed one now runs exactly once.
    const probeOrders = await sql<{ customer_id: string }>(
      `SELECT customer_id FROM orders WHERE customer_id IN ($1, $2)`,
      [`outage_nokey_${run}`, `outage_key_${run}`],
    );
    expect(probeOrders).toEqual([]);
    const retry = () =>
      probe('POST /orders (Idempotency-Key)', '/orders', {
        method: 'POST',
        headers: { 'Idempotency-Key': outageKey },
        body: orderBody(`outage_key_${run}`),
      });
    const first = await retry();
    expect(first.status, first.body).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const replay = await retry();
    expect(replay.status, replay.body).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toBe(first.body);
    const [keyed] = await sql<{ n: string }>(
      `SELECT count(*) AS n FROM orders WHERE customer_id = $1`,
      [`outage_key_${run}`],
    );
    expect(Number(keyed.n)).toBe(1);
    const ready = await probe('GET /health/ready', '/health/ready');
    expect(ready.status, ready.body).toBe(200);

    // No request hit an unmapped error, and both processes survived the outage.
    expect(api.output()).not.toMatch(/Unhandled error on/);
    expect(isAlive(api), `API exited:\n${api.output().slice(-3000)}`).toBe(true);
    expect(
      isAlive(worker),
      `BUG: the worker exited on database loss (code ${worker.child.exitCode}, signal ${worker.child.signalCode}):\n${worker.output().slice(-4000)}`,
    ).toBe(true);
    const complaints = (p: Proc) =>
      p
        .output()
        .split('\n')
        .filter((l) => /ERROR|WARN/.test(l));
    console.log(
      `resilience-db: outage ${outageMs} ms, ${probes.length} probes all 503, ${TOTAL} orders / items verified exactly once\n` +
        `worker WARN/ERROR lines (${complaints(worker).length}):\n${complaints(worker).slice(0, 10).join('\n')}\n` +
        `API WARN/ERROR lines (${complaints(api).length}), first 5:\n${complaints(api).slice(0, 5).join('\n')}`,
    );
  }, 300_000);
});
