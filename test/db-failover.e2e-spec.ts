import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersLike, PROCESSED_ITEMS_SQL, TERMINAL } from './support/bulk';
import { startPatroniCluster, type PatroniCluster } from './support/patroni-cluster';
import { startPgBouncer, type PgBouncer } from './support/pgbouncer';
import { dumpOnFailure, isAlive } from './support/processes';
import { queryOnce } from './support/database';
import { waitForBuiltDist } from './support/resilience-support';
import { faultRun, serviceEnv, startService, type RunningService } from './support/service';
import { timedRequests, type Answer } from './support/timed-requests';
import { sleep } from './support/wait';

const TOTAL = 20_000;
/** PgBouncer's server connections per database/user: fewer than the service's own pool. */
const POOL_MODE = 'transaction';
const BOUNCER_POOL_SIZE = 8;
const SERVICE_POOL_SIZE = 12;
const KEYED_CLIENTS = 4;
const KEYED_RETRY_BUDGET_MS = 60_000;

/**
 * The primary of a two-node Patroni cluster dies (SIGKILL of its Patroni and postmaster) in the
 * middle of a 20,000-item bulk job while keyed `POST /orders` traffic runs. The service reaches the
 * database through PgBouncer in transaction mode (fewer server connections than the service's
 * pool), PgBouncer through HAProxy, which follows Patroni's `/primary`; migrations and LISTEN use
 * `DATABASE_DIRECT_URL` (HAProxy, no pooler). The synchronous replica must take over, the service
 * must answer only successes or 503 + Retry-After meanwhile, become ready again without a restart,
 * and nothing may be lost or applied twice: the job's items and every acknowledged keyed POST
 * exactly once, counted in SQL on the new primary.
 */
describe('PostgreSQL primary failover (Patroni + HAProxy + PgBouncer) during a bulk job', () => {
  const { prefix, run, started, cleanup } = faultRun('dbfo');
  let cluster: PatroniCluster;
  let bouncer: PgBouncer;
  let svc: RunningService;

  const sql = <T>(text: string, params: unknown[] = []) =>
    queryOnce<T>(cluster.url('app'), text, params);

  beforeAll(async () => {
    await waitForBuiltDist();
    const t0 = Date.now();
    cluster = started(await startPatroniCluster(), (c) => c.destroy());
    console.log(
      `db-failover: Patroni cluster (etcd, 2 nodes, sync replica, HAProxy) up in ${Date.now() - t0} ms; primary ${await cluster.primary()}`,
    );
    await cluster.createDatabase('app');
    const pooler = startPgBouncer({
      host: '127.0.0.1',
      port: cluster.haproxyPort,
      poolMode: POOL_MODE,
      poolSize: BOUNCER_POOL_SIZE,
    });
    bouncer = started(await pooler, (b) => b.stop());
    const env = serviceEnv({
      DATABASE_URL: bouncer.url('app'),
      DATABASE_POOL_MODE: POOL_MODE,
      DATABASE_DIRECT_URL: cluster.url('app'),
      DB_POOL_SIZE: String(SERVICE_POOL_SIZE),
      BULL_PREFIX: prefix,
    });
    svc = started(await startService(env), (s) => s.stop());
  }, 240_000);

  afterAll(cleanup, 60_000);

  const { call } = timedRequests(() => svc.base);

  it('promotes the replica, answers only successes or 503 + Retry-After, and loses or repeats nothing', async () => {
    const api = svc.api;
    const worker = svc.worker!;
    dumpOnFailure({
      api: () => api.output(),
      worker: () => worker.output(),
      pgbouncer: () => bouncer.log(),
      cluster: () => cluster.log(),
    });

    const items = Array.from({ length: TOTAL }, (_, i) => ({
      customer_id: `foj_${run}_${i}`,
      amount: i,
      currency: 'EUR',
    }));
    const submitted = await call('POST /bulk-jobs', '/bulk-jobs', {
      method: 'POST',
      body: { operation: 'create_orders', items },
      timeoutMs: 60_000,
    });
    expect(submitted.status, submitted.error ?? submitted.body).toBe(202);
    const job = submitted.json as { id: string; total_items: number };
    expect(job.total_items).toBe(TOTAL);

    // Traffic for the whole failover: keyed POSTs (each retried with the same key and body on a
    // 503 or a dropped connection), a readiness probe every 200 ms and a job poll every 500 ms.
    const answers: Answer[] = [];
    let stopping = false;
    let keyedSeq = 0;
    const acknowledged: { customer: string; key: string; status: number }[] = [];
    const abandoned: { customer: string; key: string; last: string }[] = [];
    const keyedClient = async (client: number) => {
      while (!stopping) {
        const n = keyedSeq++;
        const customer = `fok_${run}_${client}_${n}`;
        const key = `fo-${run}-${n}`;
        const body = JSON.stringify({ customer_id: customer, amount: n + 1, currency: 'EUR' });
        const until = Date.now() + KEYED_RETRY_BUDGET_MS;
        for (;;) {
          const a = await call('POST /orders (Idempotency-Key)', '/orders', {
            method: 'POST',
            headers: { 'Idempotency-Key': key },
            body,
            // Longer than the failover: a retry never races an attempt the service still runs.
            timeoutMs: 30_000,
          });
          answers.push(a);
          if (a.status === 201 || a.status === 200) {
            acknowledged.push({ customer, key, status: a.status });
            break;
          }
          if (Date.now() > until) {
            abandoned.push({ customer, key, last: `${a.status ?? a.error} ${a.body}` });
            break;
          }
          // 503 (or anything else, which the assertions below report): same key, same body.
          await sleep(a.error ? 200 : 300);
        }
      }
    };
    const ready: Answer[] = [];
    const readinessProbe = async () => {
      while (!stopping) {
        const a = await call('GET /health/ready', '/health/ready', { timeoutMs: 5_000 });
        ready.push(a);
        answers.push(a);
        await sleep(Math.max(0, 200 - (a.done - a.at)));
      }
    };
    const jobPoll = async () => {
      while (!stopping) {
        answers.push(await call('GET /bulk-jobs/{id}', `/bulk-jobs/${job.id}`));
        await sleep(500);
      }
    };
    const traffic = Promise.all([
      ...Array.from({ length: KEYED_CLIENTS }, (_, c) => keyedClient(c)),
      readinessProbe(),
      jobPoll(),
    ]);

    // Once the job has committed a chunk (and keyed traffic has been acknowledged), kill the primary.
    let processedAtKill = 0;
    for (const until = Date.now() + 120_000; ;) {
      const [row] = await sql<{ processed_items: number }>(PROCESSED_ITEMS_SQL, [job.id]);
      processedAtKill = row.processed_items;
      if (processedAtKill > 0 && acknowledged.length >= KEYED_CLIENTS) break;
      if (Date.now() > until)
        throw new Error(`job never started:\n${worker.output().slice(-3000)}`);
      await sleep(50);
    }
    expect(processedAtKill, 'the failover must hit a running job').toBeLessThan(TOTAL);
    const keyedAtKill = acknowledged.length;
    const killed = await cluster.killPrimary();
    const promoted = await cluster.waitForPrimary(60_000);
    expect(promoted.name, 'a different node is primary').not.toBe(killed.name);

    // Readiness comes back by itself (same processes, no restart).
    let readyAgain: Answer | undefined;
    for (const until = Date.now() + 60_000; !readyAgain && Date.now() < until;) {
      await sleep(200);
      const failed = ready.filter((a) => a.at >= killed.at && a.status !== 200);
      const lastFailure = Math.max(killed.at, ...failed.map((a) => a.at));
      readyAgain = ready.find((a) => a.at > lastFailure && a.status === 200);
      // Ready only counts once two later probes agree.
      if (readyAgain && ready.filter((a) => a.at > readyAgain!.at).length < 2)
        readyAgain = undefined;
    }
    const keyedAtReady = acknowledged.length;
    // Keep the traffic going a little after readiness returned, then let in-flight requests finish.
    await sleep(3_000);
    stopping = true;
    await traffic;
    const readyFailures = ready.filter((a) => a.at >= killed.at && a.status !== 200).length;

    // The job finishes on its own.
    let final: Record<string, unknown> | undefined;
    for (const until = Date.now() + 180_000; !final && Date.now() < until;) {
      const a = await call('GET /bulk-jobs/{id}', `/bulk-jobs/${job.id}`, {
        headers: { Prefer: 'wait=10' },
        timeoutMs: 20_000,
      });
      answers.push(a);
      if (a.status === 200) {
        if (TERMINAL.includes(String(a.json.status))) final = a.json;
      } else await sleep(500);
    }
    const finishedAt = Date.now();

    const count = (xs: Answer[]) => {
      const by: Record<string, number> = {};
      for (const a of xs) {
        const k = `${a.what} -> ${a.status ?? `ERROR ${a.error}`}`;
        by[k] = (by[k] ?? 0) + 1;
      }
      return by;
    };
    const unavailable = answers.filter((a) => a.status === 503);
    const duringFailover = answers.filter(
      (a) => a.at >= killed.at && a.at <= (readyAgain?.done ?? finishedAt),
    );
    const slowest = Math.max(0, ...duringFailover.map((a) => a.done - a.at));
    const other = answers.filter(
      (a) => !(a.status !== undefined && a.status >= 200 && a.status < 300) && a.status !== 503,
    );
    console.log(
      `db-failover: timeline: kill ${killed.name} at processed_items=${processedAtKill}/${TOTAL} → ` +
        `${promoted.name} primary (REST) +${promoted.at - killed.at} ms → ` +
        `first /health/ready 200 +${readyAgain ? readyAgain.done - killed.at : 'never'} ms; ` +
        `job ${String(final?.status)} +${finishedAt - killed.at} ms\n` +
        `db-failover: ${answers.length} answers, ${unavailable.length} were 503 (readiness probes failing after the kill: ${readyFailures}), ` +
        `${other.length} other non-2xx/errors; keyed POSTs acknowledged ${acknowledged.length} (${keyedAtKill} before the kill, ${keyedAtReady} when ready again), abandoned ${abandoned.length}; ` +
        `slowest answer to a request sent during the failover: ${slowest} ms\n` +
        `db-failover: answers by status:`,
      count(answers),
    );
    if (other.length) console.log('db-failover: answers other than 2xx/503:', other.slice(0, 20));

    // Failover happened and the service followed it without a restart.
    expect(isAlive(api), `API exited:\n${api.output().slice(-3000)}`).toBe(true);
    expect(isAlive(worker), `worker exited:\n${worker.output().slice(-3000)}`).toBe(true);
    expect(
      readyAgain,
      'GET /health/ready answered 200 again within 60 s of the promotion',
    ).toBeDefined();
    // Every answer: a success, or a 503 with Retry-After; never a 500 or a dropped connection.
    expect(
      answers.filter((a) => a.status === 500),
      'answers 500',
    ).toEqual([]);
    expect(other, 'answers neither 2xx nor 503').toEqual([]);
    expect(
      unavailable.filter((a) => !/^\d+$/.test(a.retryAfter ?? '') || Number(a.retryAfter) <= 0),
      '503 without a positive Retry-After',
    ).toEqual([]);
    expect(abandoned, 'keyed POSTs still failing after 60 s of retries').toEqual([]);
    // Outside the failover the pooled path is healthy: no 503 before the kill, none once ready again.
    const brief = (xs: Answer[]) =>
      xs.slice(0, 10).map((a) => `${a.what} ${a.status ?? a.error} ${a.body.slice(0, 200)}`);
    expect(
      brief(answers.filter((a) => a.done < killed.at && a.status !== undefined && a.status >= 300)),
      'non-2xx answers before the kill (steady state through PgBouncer)',
    ).toEqual([]);
    expect(
      brief(
        answers.filter(
          (a) => readyAgain && a.at > readyAgain.done + 2_000 && (a.status ?? 0) >= 300,
        ),
      ),
      'non-2xx answers sent more than 2 s after readiness returned',
    ).toEqual([]);

    expect(
      final,
      `job did not finish; worker output:\n${worker.output().slice(-4000)}`,
    ).toBeDefined();
    expect(final).toMatchObject({
      status: 'completed',
      total_items: TOTAL,
      processed_items: TOTAL,
      succeeded: TOTAL,
      failed: 0,
    });

    // Counted in SQL on the new primary (through HAProxy): every job item applied exactly once …
    expect(await ordersLike(cluster.url('app'), `foj\\_${run}\\_%`)).toEqual({
      n: TOTAL,
      customers: TOTAL,
    });
    // … and every acknowledged keyed POST made exactly one order.
    const perCustomer = await sql<{ customer_id: string; n: string }>(
      `SELECT customer_id, count(*) AS n FROM orders WHERE customer_id LIKE $1 GROUP BY customer_id`,
      [`fok\\_${run}\\_%`],
    );
    const made = new Map(perCustomer.map((r) => [r.customer_id, Number(r.n)]));
    expect(
      acknowledged
        .filter((k) => made.get(k.customer) !== 1)
        .map((k) => ({ ...k, orders: made.get(k.customer) ?? 0 })),
      'acknowledged keyed POSTs without exactly one order',
    ).toEqual([]);
    expect(
      [...made.values()].filter((n) => n > 1),
      'customers with duplicate orders',
    ).toEqual([]);
    const [{ primary_port: primaryPort }] = await sql<{ primary_port: number }>(
      'SELECT inet_server_port() AS primary_port',
    );
    expect(primaryPort).toBe(cluster.nodes.find((n) => n.name === promoted.name)!.pgPort);

    const last = await call('GET /health/ready', '/health/ready');
    expect(last.status, last.body).toBe(200);
  }, 420_000);
});
