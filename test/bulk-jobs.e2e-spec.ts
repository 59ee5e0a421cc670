import { JobRunner, BULK_QUEUE, JobsMaintenanceService } from '@app/jobs';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from './support/bulk';
import { auth, createTestApp, type TestApp } from './support/test-app';

describe('bulk jobs', () => {
  let t: TestApp;
  let pg: Client;
  let queue: Queue;
  beforeAll(async () => {
    t = await createTestApp({
      TEST_LABEL: 'bulk',
      BULK_CHUNK_SIZE: '500',
      BULK_MAX_ITEMS: '150000',
    });
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    queue = t.app.get<Queue>(getQueueToken(BULK_QUEUE));
  });
  afterAll(async () => {
    await pg?.end();
    await t?.close();
  });

  const createOrder = async (status = 'pending', tenant: 'acme' | 'globex' = 'acme') =>
    (
      await t.http
        .post('/orders')
        .set(auth(tenant))
        .send({ customer_id: 'cus_bulk', amount: 10, currency: 'EUR', status })
        .expect(201)
    ).body as { id: string; status: string; version: number };
  const submit = (body: object, tenant: 'acme' | 'globex' = 'acme') =>
    t.http.post('/bulk-jobs').set(auth(tenant)).send(body);
  const getOrder = async (id: string) =>
    (await t.http.get(`/orders/${id}`).set(auth()).expect(200)).body;
  const items = async (jobId: string, query = '') =>
    (await t.http.get(`/bulk-jobs/${jobId}/items?limit=100${query}`).set(auth()).expect(200)).body
      .data as {
      index: number;
      id: string | null;
      ref?: string;
      status: string;
      error: { code: string; message: string } | null;
    }[];

  it('runs the seed example end to end: 202 + Location, then completed with counters', async () => {
    const a = await createOrder('paid');
    const b = await createOrder('paid');
    const res = await submit({
      operation: 'update_orders_status',
      items: [
        { id: a.id, status: 'cancelled' },
        { id: b.id, status: 'shipped' },
      ],
    }).expect(202);
    expect(res.headers.location).toBe(`/bulk-jobs/${res.body.id}`);
    expect(res.body).toMatchObject({
      operation: 'update_orders_status',
      status: 'pending',
      total_items: 2,
    });
    expect(res.body.id).toMatch(/^job_[0-9a-z]{20}$/);
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
    const done = await waitForJob(t.http, res.body.id);
    expect(done).toMatchObject({
      id: res.body.id,
      operation: 'update_orders_status',
      status: 'completed',
      total_items: 2,
      processed_items: 2,
      succeeded: 2,
      failed: 0,
      progress: 100,
      result_url: `/bulk-jobs/${res.body.id}/results`,
      links: {
        self: `/bulk-jobs/${res.body.id}`,
        items: `/bulk-jobs/${res.body.id}/items`,
        results: `/bulk-jobs/${res.body.id}/results`,
        cancel: `/bulk-jobs/${res.body.id}/cancel`,
      },
    });
    expect(typeof done.completed_at).toBe('string');
    expect(
      new Date(done.expires_at as string).getTime() -
        new Date(done.completed_at as string).getTime(),
    ).toBe(7 * 24 * 3600 * 1000);
    expect((await getOrder(a.id)).status).toBe('cancelled');
    expect((await getOrder(b.id)).status).toBe('shipped');
    const final = await t.http.get(`/bulk-jobs/${res.body.id}`).set(auth()).expect(200);
    expect(final.headers['retry-after']).toBeUndefined();
  });

  it('fails bad items on their own with each item error code', async () => {
    const ok = await createOrder('pending');
    const delivered = await createOrder('paid');
    await t.http
      .patch(`/orders/${delivered.id}`)
      .set(auth())
      .send({ status: 'shipped' })
      .expect(200);
    const res = await submit({
      operation: 'update_orders_status',
      items: [
        { id: ok.id, status: 'paid' },
        { id: 'ord_missing', status: 'paid' },
        { id: delivered.id, status: 'pending' },
        { id: ok.id, status: 'cancelled' },
        { id: ok.id },
        { id: ok.id, status: 'paid', extra: 1 },
        'not an object',
      ],
    }).expect(202);
    const done = await waitForJob(t.http, res.body.id);
    expect(done).toMatchObject({
      status: 'completed',
      total_items: 7,
      processed_items: 7,
      succeeded: 1,
      failed: 6,
    });
    const list = await items(res.body.id);
    expect(list.map((i) => [i.index, i.status, i.error?.code ?? null])).toEqual([
      [0, 'succeeded', null],
      [1, 'failed', 'not_found'],
      [2, 'failed', 'invalid_transition'],
      [3, 'failed', 'duplicate_item'],
      [4, 'failed', 'duplicate_item'],
      [5, 'failed', 'duplicate_item'],
      [6, 'failed', 'validation_failed'],
    ]);
    expect((await getOrder(ok.id)).status).toBe('paid');
    const failedOnly = await items(res.body.id, '&status=failed');
    expect(failedOnly.map((i) => i.index)).toEqual([1, 2, 3, 4, 5, 6]);
    const bad = await submit({
      operation: 'update_orders_status',
      items: [{ id: ok.id }, { id: 'x', status: 'paid', extra: 1 }],
    }).expect(202);
    await waitForJob(t.http, bad.body.id);
    const invalid = await items(bad.body.id);
    expect(invalid.map((i) => i.error?.code)).toEqual(['validation_failed', 'validation_failed']);
    expect(invalid[0].error?.message).toMatch(/status/);
    expect(invalid[1].error?.message).toMatch(/extra/);
  });

  it('applies atomic jobs all or nothing', async () => {
    const a = await createOrder('pending');
    const b = await createOrder('pending');
    const failing = await submit({
      operation: 'update_orders_status',
      atomic: true,
      items: [
        { id: a.id, status: 'paid' },
        { id: 'ord_missing', status: 'paid' },
        { id: b.id, status: 'cancelled' },
      ],
    }).expect(202);
    const failed = await waitForJob(t.http, failing.body.id);
    expect(failed).toMatchObject({ status: 'failed', atomic: true, succeeded: 0, failed: 1 });
    expect((failed.error as { code: string }).code).toBe('atomic_rollback');
    expect((await getOrder(a.id)).status).toBe('pending');
    expect((await getOrder(b.id)).status).toBe('pending');
    const list = await items(failing.body.id);
    expect(list.map((i) => [i.status, i.error?.code])).toEqual([
      ['cancelled', 'rolled_back'],
      ['failed', 'not_found'],
      ['cancelled', 'rolled_back'],
    ]);
    const passing = await submit({
      operation: 'update_orders_status',
      atomic: true,
      items: [
        { id: a.id, status: 'paid' },
        { id: b.id, status: 'cancelled' },
      ],
    }).expect(202);
    expect(await waitForJob(t.http, passing.body.id)).toMatchObject({
      status: 'completed',
      succeeded: 2,
      failed: 0,
    });
    expect((await getOrder(a.id)).status).toBe('paid');
  });

  it('creates orders with refs echoed in items and results (CSV and NDJSON)', async () => {
    const res = await submit({
      operation: 'create_orders',
      items: [
        { customer_id: 'cus_create', amount: 1, currency: 'EUR', ref: 'row-1' },
        { customer_id: 'cus_create', amount: -1, currency: 'EUR', ref: 'row-2' },
        {
          customer_id: 'cus_create',
          amount: 3,
          currency: 'USD',
          ref: '=HYPERLINK("http://evil")',
          status: 'paid',
        },
      ],
    }).expect(202);
    const done = await waitForJob(t.http, res.body.id);
    expect(done).toMatchObject({ status: 'completed', succeeded: 2, failed: 1 });
    const list = await items(res.body.id);
    expect(list[0]).toMatchObject({ index: 0, ref: 'row-1', status: 'succeeded', error: null });
    expect(list[0].id).toMatch(/^ord_/);
    expect((await getOrder(list[0].id as string)).customer_id).toBe('cus_create');
    expect(list[1]).toMatchObject({ ref: 'row-2', status: 'failed', id: null });
    const csv = await t.http.get(`/bulk-jobs/${res.body.id}/results`).set(auth()).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('index,id,ref,status,error_code,error_message');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(`0,${list[0].id},row-1,succeeded,,`);
    expect(lines[2]).toMatch(/^1,,row-2,failed,validation_failed,/);
    expect(lines[3]).toBe(`2,${list[2].id},"'=HYPERLINK(""http://evil"")",succeeded,,`);
    const nd = await t.http
      .get(`/bulk-jobs/${res.body.id}/results`)
      .set(auth())
      .set('Accept', 'application/x-ndjson')
      .expect(200);
    expect(nd.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const rows = nd.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({
      index: 1,
      ref: 'row-2',
      status: 'failed',
      error: { code: 'validation_failed' },
    });
    expect(rows[2].ref).toBe('=HYPERLINK("http://evil")');
  });

  it('accepts 100k items as NDJSON and as CSV, streamed, and applies each exactly once', async () => {
    const n = 100_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++)
      lines.push(
        JSON.stringify({ customer_id: 'cus_nd', amount: i, currency: 'EUR', ref: `n${i}` }),
      );
    lines.splice(5, 0, '{broken json');
    const nd = await t.http
      .post('/bulk-jobs?operation=create_orders')
      .set(auth())
      .set('content-type', 'application/x-ndjson')
      .send(lines.join('\n') + '\n')
      .expect(202);
    expect(nd.body.total_items).toBe(n + 1);
    const csvRows = ['customer_id,amount,currency,ref'];
    for (let i = 0; i < n; i++) csvRows.push(`cus_csv,${i},EUR,"c,${i}"`);
    csvRows.push('only,three,fields');
    const csv = await t.http
      .post('/bulk-jobs?operation=create_orders')
      .set(auth())
      .set('content-type', 'text/csv')
      .send(csvRows.join('\r\n'))
      .expect(202);
    expect(csv.body.total_items).toBe(n + 1);
    const [a, b] = await Promise.all([
      waitForJob(t.http, nd.body.id, 'acme', 180_000),
      waitForJob(t.http, csv.body.id, 'acme', 180_000),
    ]);
    expect(a).toMatchObject({ status: 'completed', succeeded: n, failed: 1 });
    expect(b).toMatchObject({ status: 'completed', succeeded: n, failed: 1 });
    const counts = await pg.query(
      `SELECT customer_id, count(*)::int AS n, count(DISTINCT amount)::int AS amounts FROM orders WHERE customer_id IN ('cus_nd','cus_csv') GROUP BY 1 ORDER BY 1`,
    );
    expect(counts.rows).toEqual([
      { customer_id: 'cus_csv', n, amounts: n },
      { customer_id: 'cus_nd', n, amounts: n },
    ]);
    const broken = await items(nd.body.id, '&status=failed');
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ index: 5, error: { code: 'validation_failed' } });
    expect(broken[0].error?.message).toMatch(/line 6 is not valid JSON/);
    const csvBad = await items(csv.body.id, '&status=failed');
    expect(csvBad[0].error?.message).toMatch(/has 3 fields; the header has 4/);
    const csvItems = await items(csv.body.id);
    expect(csvItems.find((i) => i.index === 7)?.ref).toBe('c,7');
    // Chunk storage: a 100k-item upload is 201 chunk rows (chunk size 500), not 100k item rows.
    const stored = await pg.query(
      `SELECT count(*)::int AS chunks, sum(item_count)::int AS items FROM bulk_job_chunks WHERE job_id = $1`,
      [nd.body.id],
    );
    expect(stored.rows[0]).toEqual({ chunks: Math.ceil((n + 1) / 500), items: n + 1 });
  }, 240_000);

  it('cancels a job mid-way: processed chunks stay, the rest become cancelled, workers skip them', async () => {
    await queue.pause(true);
    try {
      const orders = await Promise.all(Array.from({ length: 6 }, () => createOrder('pending')));
      const payload = Array.from({ length: 1200 }, (_, i) => ({
        customer_id: 'cus_cancel',
        amount: i,
        currency: 'EUR',
      }));
      const res = await submit({ operation: 'create_orders', items: payload }).expect(202);
      // The queue is paused: this test takes the workers' turns itself.
      expect(await t.app.get(JobRunner).processNext()).toMatchObject({
        outcome: 'applied',
        jobId: res.body.id,
      });
      const mid = await t.http.get(`/bulk-jobs/${res.body.id}`).set(auth()).expect(200);
      expect(mid.body).toMatchObject({ status: 'processing', processed_items: 500, progress: 41 });
      expect(mid.headers['retry-after']).toMatch(/^\d+$/);
      const cancelled = await t.http
        .post(`/bulk-jobs/${res.body.id}/cancel`)
        .set(auth())
        .expect(202);
      expect(cancelled.body).toMatchObject({
        status: 'cancelled',
        processed_items: 500,
        succeeded: 500,
      });
      expect(await t.app.get(JobRunner).processNext()).toEqual({ outcome: 'idle', applied: 0 });
      const counts = await pg.query(
        `SELECT state, sum(item_count)::int AS n FROM bulk_job_chunks WHERE job_id = $1 GROUP BY 1 ORDER BY 1`,
        [res.body.id],
      );
      expect(counts.rows).toEqual([
        { state: 'cancelled', n: 700 },
        { state: 'done', n: 500 },
      ]);
      const byStatus = new Map<string, number>();
      for (const line of (
        await t.http
          .get(`/bulk-jobs/${res.body.id}/results`)
          .set(auth())
          .set('Accept', 'application/x-ndjson')
          .expect(200)
      ).text
        .trim()
        .split('\n')) {
        const status = (JSON.parse(line) as { status: string }).status;
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      }
      expect(Object.fromEntries(byStatus)).toEqual({ succeeded: 500, cancelled: 700 });
      expect(
        (await pg.query(`SELECT count(*)::int AS n FROM orders WHERE customer_id = 'cus_cancel'`))
          .rows[0].n,
      ).toBe(500);
      const again = await t.http.post(`/bulk-jobs/${res.body.id}/cancel`).set(auth()).expect(409);
      expect(again.body.code).toBe('job_not_cancellable');
      expect(orders).toHaveLength(6);
    } finally {
      await queue.resume(true);
    }
  });

  it('cancels a running job at once: no chunk starts after the cancel answers, counters are final', async () => {
    const n = 40_000;
    const res = await submit({
      operation: 'create_orders',
      items: Array.from({ length: n }, (_, i) => ({
        customer_id: 'cus_stop',
        amount: i,
        currency: 'EUR',
      })),
    }).expect(202);
    const id = res.body.id as string;
    const until = Date.now() + 60_000;
    for (;;) {
      const job = await t.http.get(`/bulk-jobs/${id}`).set(auth()).expect(200);
      if (job.body.processed_items > 0) break;
      if (Date.now() > until) throw new Error('the job never started');
      await new Promise((r) => setTimeout(r, 10));
    }
    const cancelled = await t.http.post(`/bulk-jobs/${id}/cancel`).set(auth()).expect(202);
    expect(cancelled.body.status).toBe('cancelled');
    const processed = cancelled.body.processed_items as number;
    expect(processed).toBeGreaterThan(0);
    expect(processed).toBeLessThan(n);
    // Give workers time to (wrongly) start more chunks; none may.
    await new Promise((r) => setTimeout(r, 1500));
    const later = await t.http.get(`/bulk-jobs/${id}`).set(auth()).expect(200);
    expect(later.body).toMatchObject({
      status: 'cancelled',
      processed_items: processed,
      succeeded: processed,
    });
    const orders = await pg.query(
      `SELECT count(*)::int AS n FROM orders WHERE customer_id = 'cus_stop'`,
    );
    expect(orders.rows[0].n).toBe(processed);
    const states = await pg.query(
      `SELECT state, sum(item_count)::int AS n FROM bulk_job_chunks WHERE job_id = $1 GROUP BY 1 ORDER BY 1`,
      [id],
    );
    expect(states.rows).toEqual([
      { state: 'cancelled', n: n - processed },
      { state: 'done', n: processed },
    ]);
  });

  it('retries only the failed items into a new job with retry_of', async () => {
    const ok = await createOrder('pending');
    const first = await submit({
      operation: 'update_orders_status',
      items: [
        { id: ok.id, status: 'paid' },
        { id: 'ord_nope1', status: 'paid', ref: 'a' },
        { id: 'ord_nope2', status: 'paid', ref: 'b' },
      ],
    }).expect(202);
    await waitForJob(t.http, first.body.id);
    const retry = await t.http.post(`/bulk-jobs/${first.body.id}/retry`).set(auth()).expect(202);
    expect(retry.headers.location).toBe(`/bulk-jobs/${retry.body.id}`);
    expect(retry.body).toMatchObject({
      retry_of: first.body.id,
      total_items: 2,
      status: 'pending',
      operation: 'update_orders_status',
    });
    const done = await waitForJob(t.http, retry.body.id);
    expect(done).toMatchObject({ status: 'completed', failed: 2 });
    const list = await items(retry.body.id);
    expect(list.map((i) => [i.index, i.id, i.ref])).toEqual([
      [0, 'ord_nope1', 'a'],
      [1, 'ord_nope2', 'b'],
    ]);
    const clean = await submit({
      operation: 'update_orders_status',
      items: [{ id: ok.id, status: 'paid' }],
    }).expect(202);
    await waitForJob(t.http, clean.body.id);
    expect(
      (await t.http.post(`/bulk-jobs/${clean.body.id}/retry`).set(auth()).expect(409)).body.code,
    ).toBe('nothing_to_retry');
  });

  it('deletes terminal jobs only, and expires jobs after their TTL', async () => {
    await queue.pause(true);
    let pendingId: string;
    try {
      const pending = await submit({
        operation: 'create_orders',
        items: [{ customer_id: 'c', amount: 1, currency: 'EUR' }],
      }).expect(202);
      pendingId = pending.body.id;
      expect(
        (await t.http.delete(`/bulk-jobs/${pendingId}`).set(auth()).expect(409)).body.code,
      ).toBe('job_not_deletable');
      const retryEarly = await t.http.post(`/bulk-jobs/${pendingId}/retry`).set(auth()).expect(409);
      expect(retryEarly.body.code).toBe('job_not_finished');
    } finally {
      await queue.resume(true);
    }
    await waitForJob(t.http, pendingId);
    await t.http.delete(`/bulk-jobs/${pendingId}`).set(auth()).expect(204);
    await t.http.get(`/bulk-jobs/${pendingId}`).set(auth()).expect(404);
    expect(
      (
        await pg.query(`SELECT count(*)::int AS n FROM bulk_job_chunks WHERE job_id = $1`, [
          pendingId,
        ])
      ).rows[0].n,
    ).toBe(0);

    const res = await submit({
      operation: 'create_orders',
      items: [{ customer_id: 'c', amount: 1, currency: 'EUR' }],
    }).expect(202);
    await waitForJob(t.http, res.body.id);
    await pg.query(`UPDATE bulk_jobs SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      res.body.id,
    ]);
    for (const path of ['', '/items', '/results']) {
      const gone = await t.http.get(`/bulk-jobs/${res.body.id}${path}`).set(auth()).expect(404);
      expect(gone.body.code).toBe('not_found');
    }
    const listed = await t.http.get('/bulk-jobs?limit=100').set(auth()).expect(200);
    expect(listed.body.data.map((j: { id: string }) => j.id)).not.toContain(res.body.id);
    expect(await t.app.get(JobsMaintenanceService).sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(
      (await pg.query(`SELECT count(*)::int AS n FROM bulk_jobs WHERE id = $1`, [res.body.id]))
        .rows[0].n,
    ).toBe(0);
  });

  it('holds GET with Prefer: wait until the job changes state', async () => {
    await queue.pause(true);
    try {
      const res = await submit({
        operation: 'create_orders',
        items: [{ customer_id: 'c', amount: 1, currency: 'EUR' }],
      }).expect(202);
      const started = Date.now();
      const waiting = t.http
        .get(`/bulk-jobs/${res.body.id}`)
        .set(auth())
        .set('Prefer', 'wait=10')
        .then((r) => r);
      await new Promise((r) => setTimeout(r, 700));
      await queue.resume(true);
      const answered = await waiting;
      expect(answered.status).toBe(200);
      expect(answered.body.status).not.toBe('pending');
      expect(answered.headers['preference-applied']).toBe('wait=10');
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      expect(Date.now() - started).toBeLessThan(9000);
      const quick = Date.now();
      const timeout = await t.http
        .get(`/bulk-jobs/${res.body.id}`)
        .set(auth())
        .set('Prefer', 'wait=1');
      expect(Date.now() - quick).toBeLessThan(1500);
      expect(timeout.status).toBe(200);
    } finally {
      await queue.resume(true);
    }
  });

  it('checks only the envelope before 202', async () => {
    const cases: [object, string][] = [
      [{ operation: 'delete_everything', items: [{}] }, 'operation'],
      [{ items: [{}] }, 'operation'],
      [{ operation: 'create_orders' }, 'items'],
      [{ operation: 'create_orders', items: [] }, 'items'],
      [{ operation: 'create_orders', items: {} }, 'items'],
      [{ operation: 'create_orders', items: [{}], atomic: 'yes' }, 'atomic'],
      [{ operation: 'create_orders', items: [{}], webhook_url: 'not a url' }, 'webhook_url'],
      [{ operation: 'create_orders', items: [{}], extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await submit(body).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const tooMany = await submit({
      operation: 'create_orders',
      items: Array.from({ length: 150_001 }, () => ({})),
    }).expect(400);
    expect(tooMany.body.errors[0].message).toMatch(/at most 150000/);
    const big = await t.http
      .post('/bulk-jobs')
      .set(auth())
      .set('content-type', 'application/json')
      .send(
        JSON.stringify({
          operation: 'create_orders',
          items: [{ pad: 'x'.repeat(17 * 1024 * 1024) }],
        }),
      )
      .expect(413);
    expect(big.body.code).toBe('payload_too_large');
    await t.http
      .post('/bulk-jobs')
      .set(auth())
      .set('content-type', 'text/plain')
      .send('x')
      .expect(415);
    const noOp = await t.http
      .post('/bulk-jobs')
      .set(auth())
      .set('content-type', 'application/x-ndjson')
      .send('{}\n')
      .expect(400);
    expect(noOp.body.errors[0].field).toBe('operation');
    const empty = await t.http
      .post('/bulk-jobs?operation=create_orders')
      .set(auth())
      .set('content-type', 'application/x-ndjson')
      .send('\n\n')
      .expect(400);
    expect(empty.body.errors[0].field).toBe('items');
    expect(
      (await pg.query(`SELECT count(*)::int AS n FROM bulk_jobs WHERE total_items = 0`)).rows[0].n,
    ).toBe(0);
  });

  it('replays an idempotent submission without creating a second job', async () => {
    const body = {
      operation: 'create_orders',
      items: [{ customer_id: 'cus_idem_bulk', amount: 1, currency: 'EUR' }],
    };
    const first = await submit(body).set('Idempotency-Key', 'bulk-key-1').expect(202);
    const again = await submit(body).set('Idempotency-Key', 'bulk-key-1').expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.text).toBe(first.text);
    await waitForJob(t.http, first.body.id);
    expect(
      (await pg.query(`SELECT count(*)::int AS n FROM orders WHERE customer_id = 'cus_idem_bulk'`))
        .rows[0].n,
    ).toBe(1);
    expect(
      (await pg.query(`SELECT count(*)::int AS n FROM bulk_jobs WHERE id = $1`, [first.body.id]))
        .rows[0].n,
    ).toBe(1);
  });

  it('isolates tenants: 404 on every job endpoint, and bulk items cannot touch another tenant', async () => {
    const mine = await createOrder('pending', 'acme');
    const res = await submit({
      operation: 'update_orders_status',
      items: [{ id: mine.id, status: 'paid' }],
    }).expect(202);
    await waitForJob(t.http, res.body.id);
    const g = auth('globex');
    for (const path of ['', '/items', '/results'])
      await t.http.get(`/bulk-jobs/${res.body.id}${path}`).set(g).expect(404);
    await t.http.post(`/bulk-jobs/${res.body.id}/cancel`).set(g).expect(404);
    await t.http.post(`/bulk-jobs/${res.body.id}/retry`).set(g).expect(404);
    await t.http.delete(`/bulk-jobs/${res.body.id}`).set(g).expect(404);
    const theirs = await t.http.get('/bulk-jobs?limit=100').set(g).expect(200);
    expect(theirs.body.data.map((j: { id: string }) => j.id)).not.toContain(res.body.id);
    const events = await t.http.get('/events?limit=100').set(g).expect(200);
    expect(events.body.data.every((e: { data: { id: string } }) => e.data.id !== res.body.id)).toBe(
      true,
    );
    const attack = await submit(
      { operation: 'update_orders_status', items: [{ id: mine.id, status: 'cancelled' }] },
      'globex',
    ).expect(202);
    const done = await waitForJob(t.http, attack.body.id, 'globex');
    expect(done).toMatchObject({ failed: 1, succeeded: 0 });
    expect((await getOrder(mine.id)).status).toBe('paid');
  });

  it('lists jobs and events as cursor pages with filters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await submit(
        { operation: 'create_orders', items: [{ customer_id: 'c', amount: i, currency: 'EUR' }] },
        'globex',
      ).expect(202);
      ids.push(r.body.id);
      await waitForJob(t.http, r.body.id, 'globex');
    }
    const page1 = await t.http
      .get('/bulk-jobs?operation=create_orders&limit=2')
      .set(auth('globex'))
      .expect(200);
    expect(page1.body.has_more).toBe(true);
    expect(page1.headers.link).toMatch(/rel="next"/);
    const page2 = await t.http
      .get(`/bulk-jobs?operation=create_orders&limit=2&cursor=${page1.body.next_cursor}`)
      .set(auth('globex'))
      .expect(200);
    const seen = [...page1.body.data, ...page2.body.data].map((j: { id: string }) => j.id);
    for (const id of ids) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);
    const bad = await t.http
      .get(`/bulk-jobs?operation=update_orders_status&limit=2&cursor=${page1.body.next_cursor}`)
      .set(auth('globex'));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_cursor');
    const completed = await t.http
      .get('/events?type=bulk_job.completed&limit=100')
      .set(auth('globex'))
      .expect(200);
    const eventJobs = completed.body.data.map((e: { data: { id: string } }) => e.data.id);
    for (const id of ids) expect(eventJobs).toContain(id);
    expect(completed.body.data[0]).toMatchObject({ type: 'bulk_job.completed' });
    expect(completed.body.data[0].id).toMatch(/^evt_/);
    const itemsPage = await t.http
      .get(`/bulk-jobs/${ids[0]}/items?limit=1&status=succeeded`)
      .set(auth('globex'))
      .expect(200);
    expect(itemsPage.body.data).toHaveLength(1);
    const otherJobCursor = await t.http
      .get(
        `/bulk-jobs/${ids[1]}/items?limit=1&status=succeeded&cursor=${encodeURIComponent(itemsPage.body.next_cursor ?? 'x')}`,
      )
      .set(auth('globex'));
    expect(otherJobCursor.status).toBe(400);
  });
});
