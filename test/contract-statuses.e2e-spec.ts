import { waitForJob } from '@app/sdk';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { answered, body, sdkClient } from './support/sdk';
import { auth } from './support/test-app';
import { useTestApp } from './support/use-test-app';

/**
 * The statuses the document promises but ordinary traffic rarely reaches (413, 415, 422, 429, 503
 * with Retry-After on each operation). Every response here also goes through the OpenAPI response
 * check of createTestApp, so each is compared with its documented schema and headers. Bodies over
 * the limit or of another media type are sent as raw HTTP on purpose; the rest through the SDK.
 */
describe('documented error statuses, reached for real', () => {
  const t = useTestApp({
    TEST_LABEL: 'contract',
    BODY_LIMIT_BYTES: '2048',
    RATE_LIMIT_PER_MINUTE: '60',
  });
  let orderId: string;
  let jobId: string;
  beforeAll(async () => {
    const order = t.acme.POST('/orders', {
      body: { customer_id: 'cus_contract', amount: 10, currency: 'EUR' },
    });
    orderId = (await body(order, 201)).id;
    const job = t.acme.POST('/bulk-jobs', {
      body: { operation: 'update_orders_status', items: [{ id: orderId, status: 'paid' }] },
    });
    jobId = (await body(job, 202)).id;
    // The job moves the order to paid: let it finish, so later tests see the order's status settled
    // (the 422 test reads it and PATCHes the same status; the job landing in between made it a 409).
    await waitForJob(t.acme, jobId, { timeoutMs: 60_000, waitSeconds: 5 });
  });

  /** Every answer a problem with `status`, `code` and (when `retryAfter`) a Retry-After in seconds. */
  const expectAll = (
    answers: { error?: unknown; response: Response }[],
    status: number,
    code: string,
    retryAfter: RegExp | null = /^\d+$/,
  ) => {
    for (const { error, response } of answers) {
      expect(response.status, `${response.url}: ${JSON.stringify(error)}`).toBe(status);
      expect(error).toMatchObject({ code });
      if (retryAfter) expect(response.headers.get('retry-after')).toMatch(retryAfter);
    }
  };
  const path = () => ({ params: { path: { id: orderId } } });
  const job = () => ({ params: { path: { id: jobId } } });

  const big = { status: 'paid', pad: 'x'.repeat(4096) };

  it('413 for a body over BODY_LIMIT_BYTES on PATCH /orders/{id}', async () => {
    const res = await t.http.patch(`/orders/${orderId}`).set(auth()).send(big).expect(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('413 for a body over BODY_LIMIT_BYTES on cancel and retry (not the bulk submission limit)', async () => {
    for (const action of ['cancel', 'retry']) {
      const res = await t.http.post(`/bulk-jobs/${jobId}/${action}`).set(auth()).send(big);
      expect(res.status, res.text).toBe(413);
      expect(res.body.code).toBe('payload_too_large');
    }
    // The same size is fine for a submission, which has its own, larger limit (BULK_MAX_JSON_BYTES).
    await t.http
      .post('/bulk-jobs')
      .set(auth())
      .send({ operation: 'create_orders', items: [{ pad: big.pad }] })
      .expect(202);
  });

  it('415 for a body of another media type', async () => {
    for (const req of [
      t.http.patch(`/orders/${orderId}`),
      t.http.post(`/bulk-jobs/${jobId}/cancel`),
      t.http.post(`/bulk-jobs/${jobId}/retry`),
    ]) {
      const res = await req.set(auth()).set('Content-Type', 'text/plain').send('status=paid');
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('unsupported_media_type');
    }
  });

  it('422 for an Idempotency-Key reused with another request', async () => {
    const key = `k-${randomUUID()}`;
    const current = (await body(t.acme.GET('/orders/{id}', path()), 200)).status;
    const patch = (status: typeof current) =>
      t.acme.PATCH('/orders/{id}', {
        params: { path: { id: orderId }, header: { 'Idempotency-Key': key } },
        body: { status },
      });
    await answered(patch(current), 200);
    expectAll(
      [await patch(current === 'cancelled' ? 'paid' : 'cancelled')],
      422,
      'idempotency_key_reused',
      null,
    );
  });

  it('401 on reads of one resource', async () => {
    const anonymous = await sdkClient(t, null);
    expectAll(
      [
        await anonymous.GET('/orders/{id}', path()),
        await anonymous.PATCH('/orders/{id}', { ...path(), body: { status: 'paid' } }),
        await anonymous.GET('/bulk-jobs/{id}/items', job()),
      ],
      401,
      'unauthorized',
      null,
    );
  });

  it('503 with Retry-After, never 500, when the database refuses (a table gone mid-deploy)', async () => {
    await t.pg.query('ALTER TABLE orders RENAME TO orders_away');
    try {
      expectAll(
        [
          await t.acme.GET('/orders'),
          await t.acme.GET('/orders/{id}', path()),
          await t.acme.POST('/orders', {
            body: { customer_id: 'cus_contract', amount: 10, currency: 'EUR' },
          }),
          await t.acme.PATCH('/orders/{id}', { ...path(), body: { status: 'paid' } }),
        ],
        503,
        'service_unavailable',
      );
    } finally {
      await t.pg.query('ALTER TABLE orders_away RENAME TO orders');
    }
  });

  it('503 with Retry-After when a trigger refuses the write (a read-only standby after failover)', async () => {
    await t.pg.query(`CREATE FUNCTION refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'cannot execute in a read-only transaction' USING ERRCODE = '25006'; END $$`);
    await t.pg.query(
      'CREATE TRIGGER refuse_writes BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_writes()',
    );
    try {
      const refused = await t.acme.POST('/orders', {
        body: { customer_id: 'cus_contract', amount: 10, currency: 'EUR' },
      });
      expect(refused.response.status, JSON.stringify(refused.error)).toBe(503);
      expect(refused.response.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await t.pg.query('DROP TRIGGER refuse_writes ON orders');
      await t.pg.query('DROP FUNCTION refuse_writes()');
    }
  });

  it('429 with Retry-After on every operation once a tenant is over its rate', async () => {
    let status = 0;
    for (let i = 0; i < 70 && status !== 429; i++) {
      status = (await t.globex.GET('/events')).response.status;
    }
    expect(status).toBe(429);
    expectAll(
      [
        await t.globex.GET('/orders'),
        await t.globex.GET('/orders/{id}', path()),
        await t.globex.POST('/orders', { body: { customer_id: 'c', amount: 1, currency: 'EUR' } }),
        await t.globex.PATCH('/orders/{id}', { ...path(), body: { status: 'paid' } }),
        await t.globex.GET('/bulk-jobs'),
        await t.globex.POST('/bulk-jobs', { body: { operation: 'create_orders', items: [{}] } }),
        await t.globex.GET('/bulk-jobs/{id}', job()),
        await t.globex.DELETE('/bulk-jobs/{id}', job()),
        await t.globex.GET('/bulk-jobs/{id}/items', job()),
        await t.globex.GET('/bulk-jobs/{id}/results', job()),
        await t.globex.POST('/bulk-jobs/{id}/cancel', job()),
        await t.globex.POST('/bulk-jobs/{id}/retry', job()),
      ],
      429,
      'rate_limited',
    );
  });
});
