import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from './support/bulk';
import { minimumRuns, PLANNED_REQUESTS, shortfalls } from './support/fuzz/coverage';
import { Generator } from './support/fuzz/generator';
import type { Pools } from './support/fuzz/request';
import { describeFailure, runPlan, type Failure } from './support/fuzz/run';
import { operationsOf, type Op, type SpecDocument } from './support/fuzz/spec';
import { recorder } from './support/openapi-validator';
import { auth, createTestApp, type TestApp } from './support/test-app';

/*
 * OpenAPI-driven fuzzing: every operation of the served spec gets a few hundred generated requests
 * (valid-ish and hostile query, path, header and body values; test/support/fuzz) and every answer
 * must be non-5xx, with problem+json for errors, and match openapi.json. The run fails unless every
 * planned request was sent and checked and every case kind ran its stated minimum
 * (test/support/fuzz/coverage.ts). Reproduce a run with FUZZ_SEED=<seed> (printed); replay single
 * requests with FUZZ_ONLY=<index>,<index> (no minimums then); change the volume with
 * FUZZ_REQUESTS=<n> (minimums scale with it).
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2026);
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? PLANNED_REQUESTS);
const ONLY = (process.env.FUZZ_ONLY ?? '')
  .split(',')
  .filter(Boolean)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 0);
const CONCURRENCY = 8;
const REQUEST_DEADLINE_MS = 70_000;

describe('OpenAPI-driven fuzzing', () => {
  let t: TestApp;
  let base: URL;
  let ops: Op[];
  let pools: Pools;
  const agent = new Agent({ keepAlive: false });
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    t = await createTestApp({
      TEST_LABEL: 'fuzz',
      RATE_LIMIT_PER_MINUTE: '0',
      // Wrong keys are part of the exploration; the per-address brake has its own tests.
      TENANT_KEY_FAILURES_PER_MINUTE: '1000000',
      BODY_LIMIT_BYTES: '1048576',
    });
    // A server of our own: supertest would otherwise listen and close around every request.
    await t.app.listen(0, '127.0.0.1');
    base = new URL(`http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`);
    const spec = await t.http.get('/openapi.json').expect(200);
    ops = operationsOf(spec.body as SpecDocument);

    const order = async (tenant: 'acme' | 'globex', status?: string) => {
      const res = await t.http
        .post('/orders')
        .set(auth(tenant))
        .send({ customer_id: 'cus_fuzz', amount: 1999, currency: 'EUR', status })
        .expect(201);
      return res.body.id as string;
    };
    const job = async (tenant: 'acme' | 'globex', body: Record<string, unknown>) => {
      const res = await t.http.post('/bulk-jobs').set(auth(tenant)).send(body).expect(202);
      await waitForJob(t.http, res.body.id as string, tenant);
      return res.body.id as string;
    };
    const orders = [
      await order('acme'),
      await order('acme'),
      await order('acme', 'paid'),
      await order('acme', 'shipped'),
      await order('acme'),
      await order('acme'),
    ];
    const foreignOrders = [await order('globex'), await order('globex', 'paid')];
    const jobs = [
      await job('acme', {
        operation: 'update_orders_status',
        items: [
          { id: orders[0], status: 'paid' },
          { id: 'ord_missing', status: 'paid' },
          { id: orders[3], status: 'pending' },
        ],
      }),
      await job('acme', {
        operation: 'create_orders',
        items: [
          { customer_id: 'cus_fuzz', amount: 1, currency: 'EUR', ref: 'a' },
          { customer_id: 'cus_fuzz', amount: -1, currency: 'EUR', ref: 'b' },
        ],
      }),
      await job('acme', {
        operation: 'update_orders_status',
        atomic: true,
        items: [
          { id: orders[1], status: 'paid' },
          { id: 'ord_missing', status: 'paid' },
        ],
      }),
      await job('acme', {
        operation: 'create_orders',
        items: [{ customer_id: 'c', amount: 5, currency: 'USD' }],
      }),
    ];
    const foreignJobs = [
      await job('globex', {
        operation: 'update_orders_status',
        items: [{ id: foreignOrders[0], status: 'paid' }],
      }),
    ];
    const cursors: string[] = [];
    for (const url of [
      '/orders?limit=1',
      '/orders?limit=2&status=pending',
      '/bulk-jobs?limit=1',
      `/bulk-jobs/${jobs[0]}/items?limit=1`,
      '/events?limit=1',
    ]) {
      const res = await t.http.get(url).set(auth()).expect(200);
      if (typeof res.body.next_cursor === 'string') cursors.push(res.body.next_cursor as string);
    }
    expect(cursors.length).toBeGreaterThanOrEqual(3);
    pools = { orders, jobs, foreignOrders, foreignJobs, cursors };
  });

  afterAll(async () => {
    agent.destroy();
    await t?.close();
  });

  it('sends every planned request, each case kind its minimum, and no answer is a 5xx, a non-problem error or off the document', async () => {
    expect(ops.length).toBeGreaterThanOrEqual(10);
    const indices = ONLY.length > 0 ? ONLY : Array.from({ length: TOTAL }, (_, i) => i);
    console.log(
      `fuzz: seed ${SEED} (FUZZ_SEED=${SEED}), ${indices.length} requests over ${ops.length} operations: ` +
        ops.map((o) => `${o.method.toUpperCase()} ${o.path}`).join(', '),
    );
    const recordedBefore = recorder.responses;
    const started = Date.now();
    const report = await runPlan({
      generator: new Generator(ops, pools, { seed: SEED, total: TOTAL }),
      indices,
      base,
      agent,
      concurrency: CONCURRENCY,
      deadlineMs: REQUEST_DEADLINE_MS,
    });
    const recorded = recorder.responses - recordedBefore;

    const sorted = Object.fromEntries(
      Object.entries(report.statuses).sort(([a], [b]) => a.localeCompare(b)),
    );
    console.log(
      `fuzz: ${report.checked.size} requests checked, statuses ${JSON.stringify(sorted)} in ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}); ` +
        `kinds ${JSON.stringify(report.kinds)}`,
    );
    if (report.specials.length > 0)
      console.log(`fuzz: large bodies:\n  ${report.specials.join('\n  ')}`);
    if (report.slow.length > 0)
      console.log(
        `fuzz: ${report.slow.length} requests over 2 s:\n` +
          report.slow
            .sort((a, b) => b.ms - a.ms)
            .slice(0, 15)
            .map((x) => `  ${x.ms} ms ${x.what}`)
            .join('\n'),
      );
    const distinct = new Map<string, Failure[]>();
    for (const f of report.failures) distinct.set(f.key, [...(distinct.get(f.key) ?? []), f]);
    for (const [key, list] of distinct) {
      console.error(
        `fuzz FAILURE (seed ${SEED}, ${list.length}×) ${key}\n` +
          list.slice(0, 3).map(describeFailure).join('\n') +
          `\n  replay: FUZZ_SEED=${SEED} FUZZ_ONLY=${list
            .slice(0, 10)
            .map((f) => f.req.index)
            .join(',')}`,
      );
    }

    // Every planned request was sent and checked, and each answer went through openapi.json too.
    expect(
      indices.filter((i) => !report.checked.has(i)),
      'planned but not checked',
    ).toEqual([]);
    expect(report.checked.size).toBe(indices.length);
    expect(recorded, 'answers checked against openapi.json').toBe(report.answered);
    if (ONLY.length === 0) {
      const short = shortfalls(report.kinds, minimumRuns(ops, indices.length));
      expect(short, `case kinds under their minimum (seed ${SEED})`).toEqual([]);
    }
    expect([...distinct.keys()], `fuzz failures with seed ${SEED}`).toEqual([]);
  }, 600_000);

  it('stays ready and serves normal requests afterwards', async () => {
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    const created = await t.http
      .post('/orders')
      .set(auth())
      .send({ customer_id: 'cus_after', amount: 42, currency: 'EUR' })
      .expect(201);
    expect(created.body).toMatchObject({ customer_id: 'cus_after', amount: 42, status: 'pending' });
    await t.http.get(`/orders/${created.body.id}`).set(auth()).expect(200);
    await t.http.get('/orders?limit=5').set(auth()).expect(200);
  });

  it('left Object.prototype unpolluted', () => {
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.admin).toBeUndefined();
    expect(probe.status).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
