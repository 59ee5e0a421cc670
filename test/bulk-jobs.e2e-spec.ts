import { JobRunner, BULK_QUEUE, JobsMaintenanceService } from '@app/jobs';
import {
  UPLOAD_CONTENT_TYPES,
  waitForJob as waitFor,
  type BulkJob,
  type CreateBulkJob,
  type OrderStatus,
} from '@app/sdk';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { describe, expect, it } from 'vitest';
import { answered, body, problem } from './support/sdk';
import { auth } from './support/test-app';
import { useTestApp } from './support/use-test-app';

describe('bulk jobs', () => {
  const t = useTestApp({ TEST_LABEL: 'bulk', BULK_CHUNK_SIZE: '500', BULK_MAX_ITEMS: '150000' });
  const queue = () => t.app.get<Queue>(getQueueToken(BULK_QUEUE));

  const count = async (sql: string, params: unknown[] = []) =>
    (await t.pg.query<{ n: number }>(sql, params)).rows[0].n;
  const createOrder = (status: OrderStatus = 'pending', client = t.acme) =>
    body(
      client.POST('/orders', {
        body: { customer_id: 'cus_bulk', amount: 10, currency: 'EUR', status },
      }),
      201,
    );
  const submitted = (job: CreateBulkJob, client = t.acme) =>
    answered(client.POST('/bulk-jobs', { body: job }), 202);
  const submit = async (job: CreateBulkJob, client = t.acme) =>
    (await submitted(job, client)).data!;
  const waitForJob = (id: string, client = t.acme, timeoutMs = 60_000) =>
    waitFor(client, id, { timeoutMs, waitSeconds: 5 });
  const getJob = (id: string, client = t.acme) =>
    client.GET('/bulk-jobs/{id}', { params: { path: { id } } });
  const getOrder = (id: string) =>
    body(t.acme.GET('/orders/{id}', { params: { path: { id } } }), 200);
  const items = async (
    id: string,
    query: { status?: 'succeeded' | 'failed'; limit?: number; cursor?: string } = {},
    client = t.acme,
  ) =>
    (
      await body(
        client.GET('/bulk-jobs/{id}/items', {
          params: { path: { id }, query: { limit: 100, ...query } },
        }),
        200,
      )
    ).data;
  /** The results file as text (CSV unless `accept` asks for NDJSON), with its content type. */
  const results = async (id: string, accept?: string) => {
    const res = await answered(
      t.acme.GET('/bulk-jobs/{id}/results', {
        params: { path: { id } },
        parseAs: 'text',
        ...(accept ? { headers: { Accept: accept } } : {}),
      }),
      200,
    );
    return { text: res.data as string, type: res.response.headers.get('content-type') };
  };
  const cancel = (id: string, client = t.acme) =>
    client.POST('/bulk-jobs/{id}/cancel', { params: { path: { id } } });
  const retry = (id: string, client = t.acme) =>
    client.POST('/bulk-jobs/{id}/retry', { params: { path: { id } } });
  /** A streamed upload through the SDK's raw path (`send`), status checked. */
  const upload = async (format: 'ndjson' | 'csv', text: string) => {
    const res = await t.acme.send('/bulk-jobs?operation=create_orders', {
      method: 'POST',
      headers: { 'Content-Type': UPLOAD_CONTENT_TYPES[format] },
      body: () => text,
    });
    expect(res.status).toBe(202);
    return (await res.json()) as BulkJob;
  };

  it('runs the seed example end to end: 202 + Location, then completed with counters', async () => {
    const a = await createOrder('paid');
    const b = await createOrder('paid');
    const res = await submitted({
      operation: 'update_orders_status',
      items: [
        { id: a.id, status: 'cancelled' },
        { id: b.id, status: 'shipped' },
      ],
    });
    const job = res.data!;
    expect(res.response.headers.get('location')).toBe(`/bulk-jobs/${job.id}`);
    expect(job).toMatchObject({
      operation: 'update_orders_status',
      status: 'pending',
      total_items: 2,
    });
    expect(job.id).toMatch(/^job_[0-9a-z]{20}$/);
    expect(new Date(job.created_at).toISOString()).toBe(job.created_at);
    const done = await waitForJob(job.id);
    expect(done).toMatchObject({
      id: job.id,
      operation: 'update_orders_status',
      status: 'completed',
      total_items: 2,
      processed_items: 2,
      succeeded: 2,
      failed: 0,
      progress: 100,
      result_url: `/bulk-jobs/${job.id}/results`,
      links: {
        self: `/bulk-jobs/${job.id}`,
        items: `/bulk-jobs/${job.id}/items`,
        results: `/bulk-jobs/${job.id}/results`,
        cancel: `/bulk-jobs/${job.id}/cancel`,
      },
    });
    expect(typeof done.completed_at).toBe('string');
    expect(
      new Date(done.expires_at as string).getTime() -
        new Date(done.completed_at as string).getTime(),
    ).toBe(7 * 24 * 3600 * 1000);
    expect((await getOrder(a.id)).status).toBe('cancelled');
    expect((await getOrder(b.id)).status).toBe('shipped');
    const final = await answered(getJob(job.id), 200);
    expect(final.response.headers.get('retry-after')).toBeNull();
  });

  it('fails bad items on their own with each item error code', async () => {
    const ok = await createOrder('pending');
    const delivered = await createOrder('paid');
    await body(
      t.acme.PATCH('/orders/{id}', {
        params: { path: { id: delivered.id } },
        body: { status: 'shipped' },
      }),
      200,
    );
    const job = await submit({
      operation: 'update_orders_status',
      items: [
        { id: ok.id, status: 'paid' },
        { id: 'ord_missing', status: 'paid' },
        { id: delivered.id, status: 'pending' },
        { id: ok.id, status: 'cancelled' },
        { id: ok.id },
        { id: ok.id, status: 'paid', extra: 1 },
        // Items are checked by the workers, one by one: a non-object is a valid envelope.
        'not an object' as unknown as CreateBulkJob['items'][number],
      ],
    });
    const done = await waitForJob(job.id);
    expect(done).toMatchObject({
      status: 'completed',
      total_items: 7,
      processed_items: 7,
      succeeded: 1,
      failed: 6,
    });
    const list = await items(job.id);
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
    const failedOnly = await items(job.id, { status: 'failed' });
    expect(failedOnly.map((i) => i.index)).toEqual([1, 2, 3, 4, 5, 6]);
    const bad = await submit({
      operation: 'update_orders_status',
      items: [{ id: ok.id }, { id: 'x', status: 'paid', extra: 1 }],
    });
    await waitForJob(bad.id);
    const invalid = await items(bad.id);
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
    });
    const failed = await waitForJob(failing.id);
    expect(failed).toMatchObject({ status: 'failed', atomic: true, succeeded: 0, failed: 1 });
    expect((failed.error as { code: string }).code).toBe('atomic_rollback');
    expect((await getOrder(a.id)).status).toBe('pending');
    expect((await getOrder(b.id)).status).toBe('pending');
    const list = await items(failing.id);
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
    });
    expect(await waitForJob(passing.id)).toMatchObject({
      status: 'completed',
      succeeded: 2,
      failed: 0,
    });
    expect((await getOrder(a.id)).status).toBe('paid');
  });

  it('creates orders with refs echoed in items and results (CSV and NDJSON)', async () => {
    const job = await submit({
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
    });
    const done = await waitForJob(job.id);
    expect(done).toMatchObject({ status: 'completed', succeeded: 2, failed: 1 });
    const list = await items(job.id);
    expect(list[0]).toMatchObject({ index: 0, ref: 'row-1', status: 'succeeded', error: null });
    expect(list[0].id).toMatch(/^ord_/);
    expect((await getOrder(list[0].id as string)).customer_id).toBe('cus_create');
    expect(list[1]).toMatchObject({ ref: 'row-2', status: 'failed', id: null });
    const csv = await results(job.id);
    expect(csv.type).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('index,id,ref,status,error_code,error_message');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(`0,${list[0].id},row-1,succeeded,,`);
    expect(lines[2]).toMatch(/^1,,row-2,failed,validation_failed,/);
    expect(lines[3]).toBe(`2,${list[2].id},"'=HYPERLINK(""http://evil"")",succeeded,,`);
    const nd = await results(job.id, 'application/x-ndjson');
    expect(nd.type).toMatch(/^application\/x-ndjson/);
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
    const nd = await upload('ndjson', lines.join('\n') + '\n');
    expect(nd.total_items).toBe(n + 1);
    const csvRows = ['customer_id,amount,currency,ref'];
    for (let i = 0; i < n; i++) csvRows.push(`cus_csv,${i},EUR,"c,${i}"`);
    csvRows.push('only,three,fields');
    const csv = await upload('csv', csvRows.join('\r\n'));
    expect(csv.total_items).toBe(n + 1);
    const [a, b] = await Promise.all([
      waitForJob(nd.id, t.acme, 180_000),
      waitForJob(csv.id, t.acme, 180_000),
    ]);
    expect(a).toMatchObject({ status: 'completed', succeeded: n, failed: 1 });
    expect(b).toMatchObject({ status: 'completed', succeeded: n, failed: 1 });
    const counts = await t.pg.query(
      `SELECT customer_id, count(*)::int AS n, count(DISTINCT amount)::int AS amounts FROM orders WHERE customer_id IN ('cus_nd','cus_csv') GROUP BY 1 ORDER BY 1`,
    );
    expect(counts.rows).toEqual([
      { customer_id: 'cus_csv', n, amounts: n },
      { customer_id: 'cus_nd', n, amounts: n },
    ]);
    const broken = await items(nd.id, { status: 'failed' });
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ index: 5, error: { code: 'validation_failed' } });
    expect(broken[0].error?.message).toMatch(/line 6 is not valid JSON/);
    const csvBad = await items(csv.id, { status: 'failed' });
    expect(csvBad[0].error?.message).toMatch(/has 3 fields; the header has 4/);
    const csvItems = await items(csv.id);
    expect(csvItems.find((i) => i.index === 7)?.ref).toBe('c,7');
    // Chunk storage: a 100k-item upload is 201 chunk rows (chunk size 500), not 100k item rows.
    const stored = await t.pg.query(
      `SELECT count(*)::int AS chunks, sum(item_count)::int AS items FROM bulk_job_chunks WHERE job_id = $1`,
      [nd.id],
    );
    expect(stored.rows[0]).toEqual({ chunks: Math.ceil((n + 1) / 500), items: n + 1 });
  }, 240_000);

  /** Items per chunk state of a job, as the chunk rows store them. */
  const chunkStates = async (id: string) =>
    (
      await t.pg.query(
        `SELECT state, sum(item_count)::int AS n FROM bulk_job_chunks WHERE job_id = $1 GROUP BY 1 ORDER BY 1`,
        [id],
      )
    ).rows;
  const ordersOf = (customer: string) =>
    count(`SELECT count(*)::int AS n FROM orders WHERE customer_id = $1`, [customer]);

  it('cancels a job mid-way: processed chunks stay, the rest become cancelled, workers skip them', async () => {
    await queue().pause(true);
    try {
      const orders = await Promise.all(Array.from({ length: 6 }, () => createOrder('pending')));
      const payload = Array.from({ length: 1200 }, (_, i) => ({
        customer_id: 'cus_cancel',
        amount: i,
        currency: 'EUR',
      }));
      const job = await submit({ operation: 'create_orders', items: payload });
      // The queue is paused: this test takes the workers' turns itself.
      expect(await t.app.get(JobRunner).processNext()).toMatchObject({
        outcome: 'applied',
        jobId: job.id,
      });
      const mid = await answered(getJob(job.id), 200);
      expect(mid.data).toMatchObject({ status: 'processing', processed_items: 500, progress: 41 });
      expect(mid.response.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await body(cancel(job.id), 202)).toMatchObject({
        status: 'cancelled',
        processed_items: 500,
        succeeded: 500,
      });
      expect(await t.app.get(JobRunner).processNext()).toEqual({ outcome: 'idle', applied: 0 });
      expect(await chunkStates(job.id)).toEqual([
        { state: 'cancelled', n: 700 },
        { state: 'done', n: 500 },
      ]);
      const byStatus = new Map<string, number>();
      for (const line of (await results(job.id, 'application/x-ndjson')).text.trim().split('\n')) {
        const status = (JSON.parse(line) as { status: string }).status;
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      }
      expect(Object.fromEntries(byStatus)).toEqual({ succeeded: 500, cancelled: 700 });
      expect(await ordersOf('cus_cancel')).toBe(500);
      expect((await problem(cancel(job.id), 409)).code).toBe('job_not_cancellable');
      expect(orders).toHaveLength(6);
    } finally {
      await queue().resume(true);
    }
  });

  it('cancels a running job at once: no chunk starts after the cancel answers, counters are final', async () => {
    const n = 40_000;
    const { id } = await submit({
      operation: 'create_orders',
      items: Array.from({ length: n }, (_, i) => ({
        customer_id: 'cus_stop',
        amount: i,
        currency: 'EUR',
      })),
    });
    const until = Date.now() + 60_000;
    for (;;) {
      const job = await body(getJob(id), 200);
      if (job.processed_items > 0) break;
      if (Date.now() > until) throw new Error('the job never started');
      await new Promise((r) => setTimeout(r, 10));
    }
    const cancelled = await body(cancel(id), 202);
    expect(cancelled.status).toBe('cancelled');
    const processed = cancelled.processed_items;
    expect(processed).toBeGreaterThan(0);
    expect(processed).toBeLessThan(n);
    // Give workers time to (wrongly) start more chunks; none may.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await body(getJob(id), 200)).toMatchObject({
      status: 'cancelled',
      processed_items: processed,
      succeeded: processed,
    });
    expect(await ordersOf('cus_stop')).toBe(processed);
    expect(await chunkStates(id)).toEqual([
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
    });
    await waitForJob(first.id);
    const res = await answered(retry(first.id), 202);
    const again = res.data!;
    expect(res.response.headers.get('location')).toBe(`/bulk-jobs/${again.id}`);
    expect(again).toMatchObject({
      retry_of: first.id,
      total_items: 2,
      status: 'pending',
      operation: 'update_orders_status',
    });
    expect(await waitForJob(again.id)).toMatchObject({ status: 'completed', failed: 2 });
    const list = await items(again.id);
    expect(list.map((i) => [i.index, i.id, i.ref])).toEqual([
      [0, 'ord_nope1', 'a'],
      [1, 'ord_nope2', 'b'],
    ]);
    const clean = await submit({
      operation: 'update_orders_status',
      items: [{ id: ok.id, status: 'paid' }],
    });
    await waitForJob(clean.id);
    expect((await problem(retry(clean.id), 409)).code).toBe('nothing_to_retry');
  });

  it('deletes terminal jobs only, and expires jobs after their TTL', async () => {
    const remove = (id: string) => t.acme.DELETE('/bulk-jobs/{id}', { params: { path: { id } } });
    const oneOrder: CreateBulkJob = {
      operation: 'create_orders',
      items: [{ customer_id: 'c', amount: 1, currency: 'EUR' }],
    };
    await queue().pause(true);
    let pendingId: string;
    try {
      pendingId = (await submit(oneOrder)).id;
      expect((await problem(remove(pendingId), 409)).code).toBe('job_not_deletable');
      expect((await problem(retry(pendingId), 409)).code).toBe('job_not_finished');
    } finally {
      await queue().resume(true);
    }
    await waitForJob(pendingId);
    await answered(remove(pendingId), 204);
    await problem(getJob(pendingId), 404);
    expect(
      await count(`SELECT count(*)::int AS n FROM bulk_job_chunks WHERE job_id = $1`, [pendingId]),
    ).toBe(0);

    const { id } = await submit(oneOrder);
    await waitForJob(id);
    await t.pg.query(
      `UPDATE bulk_jobs SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    const params = { params: { path: { id } } };
    for (const gone of [
      t.acme.GET('/bulk-jobs/{id}', params),
      t.acme.GET('/bulk-jobs/{id}/items', params),
      t.acme.GET('/bulk-jobs/{id}/results', params),
    ])
      expect((await problem(gone, 404)).code).toBe('not_found');
    const listed = await body(t.acme.GET('/bulk-jobs', { params: { query: { limit: 100 } } }), 200);
    expect(listed.data.map((j) => j.id)).not.toContain(id);
    expect(await t.app.get(JobsMaintenanceService).sweepExpired()).toBeGreaterThanOrEqual(1);
    expect(await count(`SELECT count(*)::int AS n FROM bulk_jobs WHERE id = $1`, [id])).toBe(0);
  });

  it('holds GET with Prefer: wait until the job changes state', async () => {
    const wait = (id: string, seconds: number) =>
      t.acme.GET('/bulk-jobs/{id}', {
        params: { path: { id }, header: { Prefer: `wait=${seconds}` } },
      });
    await queue().pause(true);
    try {
      const { id } = await submit({
        operation: 'create_orders',
        items: [{ customer_id: 'c', amount: 1, currency: 'EUR' }],
      });
      const started = Date.now();
      const waiting = wait(id, 10);
      await new Promise((r) => setTimeout(r, 700));
      await queue().resume(true);
      const answer = await answered(waiting, 200);
      expect(answer.data!.status).not.toBe('pending');
      expect(answer.response.headers.get('preference-applied')).toBe('wait=10');
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      expect(Date.now() - started).toBeLessThan(9000);
      const quick = Date.now();
      const timeout = await wait(id, 1);
      expect(Date.now() - quick).toBeLessThan(1500);
      expect(timeout.response.status).toBe(200);
    } finally {
      await queue().resume(true);
    }
  });

  // The envelope checks are about what arrives on the wire: sent as raw HTTP on purpose.
  it('checks only the envelope before 202', async () => {
    const post = (payload: object) => t.http.post('/bulk-jobs').set(auth()).send(payload);
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
    for (const [payload, field] of cases) {
      const res = await post(payload).expect(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const tooMany = await post({
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
    expect(await count(`SELECT count(*)::int AS n FROM bulk_jobs WHERE total_items = 0`)).toBe(0);
  });

  // Replays are compared byte for byte: raw HTTP on purpose.
  it('replays an idempotent submission without creating a second job', async () => {
    const payload = {
      operation: 'create_orders',
      items: [{ customer_id: 'cus_idem_bulk', amount: 1, currency: 'EUR' }],
    };
    const send = () =>
      t.http.post('/bulk-jobs').set(auth()).set('Idempotency-Key', 'bulk-key-1').send(payload);
    const first = await send().expect(202);
    const again = await send().expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.text).toBe(first.text);
    await waitForJob(first.body.id);
    expect(await ordersOf('cus_idem_bulk')).toBe(1);
    expect(
      await count(`SELECT count(*)::int AS n FROM bulk_jobs WHERE id = $1`, [first.body.id]),
    ).toBe(1);
  });

  it('isolates tenants: 404 on every job endpoint, and bulk items cannot touch another tenant', async () => {
    const mine = await createOrder('pending');
    const { id } = await submit({
      operation: 'update_orders_status',
      items: [{ id: mine.id, status: 'paid' }],
    });
    await waitForJob(id);
    const params = { params: { path: { id } } };
    for (const theirs of [
      t.globex.GET('/bulk-jobs/{id}', params),
      t.globex.GET('/bulk-jobs/{id}/items', params),
      t.globex.GET('/bulk-jobs/{id}/results', params),
      cancel(id, t.globex),
      retry(id, t.globex),
      t.globex.DELETE('/bulk-jobs/{id}', params),
    ])
      await problem(theirs, 404);
    const theirs = await body(
      t.globex.GET('/bulk-jobs', { params: { query: { limit: 100 } } }),
      200,
    );
    expect(theirs.data.map((j) => j.id)).not.toContain(id);
    const events = await body(t.globex.GET('/events', { params: { query: { limit: 100 } } }), 200);
    expect(events.data.every((e) => e.data.id !== id)).toBe(true);
    const attack = await submit(
      { operation: 'update_orders_status', items: [{ id: mine.id, status: 'cancelled' }] },
      t.globex,
    );
    expect(await waitForJob(attack.id, t.globex)).toMatchObject({ failed: 1, succeeded: 0 });
    expect((await getOrder(mine.id)).status).toBe('paid');
  });

  it('lists jobs and events as cursor pages with filters', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = await submit(
        { operation: 'create_orders', items: [{ customer_id: 'c', amount: i, currency: 'EUR' }] },
        t.globex,
      );
      ids.push(id);
      await waitForJob(id, t.globex);
    }
    const jobs = (query: { operation: string; cursor?: string }) =>
      t.globex.GET('/bulk-jobs', { params: { query: { limit: 2, ...query } } });
    const page1 = await answered(jobs({ operation: 'create_orders' }), 200);
    expect(page1.data!.has_more).toBe(true);
    expect(page1.response.headers.get('link')).toMatch(/rel="next"/);
    const cursor = page1.data!.next_cursor!;
    const page2 = await body(jobs({ operation: 'create_orders', cursor }), 200);
    const seen = [...page1.data!.data, ...page2.data].map((j) => j.id);
    for (const id of ids) expect(seen).toContain(id);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await problem(jobs({ operation: 'update_orders_status', cursor }), 400)).code).toBe(
      'invalid_cursor',
    );
    const completed = await body(
      t.globex.GET('/events', { params: { query: { type: 'bulk_job.completed', limit: 100 } } }),
      200,
    );
    const eventJobs = completed.data.map((e) => e.data.id);
    for (const id of ids) expect(eventJobs).toContain(id);
    expect(completed.data[0]).toMatchObject({ type: 'bulk_job.completed' });
    expect(completed.data[0].id).toMatch(/^evt_/);
    const itemsPage = await body(
      t.globex.GET('/bulk-jobs/{id}/items', {
        params: { path: { id: ids[0] }, query: { limit: 1, status: 'succeeded' } },
      }),
      200,
    );
    expect(itemsPage.data).toHaveLength(1);
    const otherJobCursor = await t.globex.GET('/bulk-jobs/{id}/items', {
      params: {
        path: { id: ids[1] },
        query: { limit: 1, status: 'succeeded', cursor: itemsPage.next_cursor ?? 'x' },
      },
    });
    expect(otherJobCursor.response.status).toBe(400);
  });
});
