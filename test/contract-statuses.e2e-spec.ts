import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from './support/bulk';
import { auth, createTestApp, type TestApp } from './support/test-app';

/**
 * The statuses the document promises but ordinary traffic rarely reaches (413, 415, 422, 429, 503
 * with Retry-After on each operation). Every response here also goes through the OpenAPI response
 * check of createTestApp, so each is compared with its documented schema and headers.
 */
describe('documented error statuses, reached for real', () => {
  let t: TestApp;
  let pg: Client;
  let orderId: string;
  let jobId: string;
  beforeAll(async () => {
    t = await createTestApp({
      TEST_LABEL: 'contract',
      BODY_LIMIT_BYTES: '2048',
      RATE_LIMIT_PER_MINUTE: '60',
    });
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    const order = await t.http
      .post('/orders')
      .set(auth())
      .send({ customer_id: 'cus_contract', amount: 10, currency: 'EUR' })
      .expect(201);
    orderId = order.body.id;
    const job = await t.http
      .post('/bulk-jobs')
      .set(auth())
      .send({ operation: 'update_orders_status', items: [{ id: orderId, status: 'paid' }] })
      .expect(202);
    jobId = job.body.id;
    // The job moves the order to paid: let it finish, so later tests see the order's status settled
    // (the 422 test reads it and PATCHes the same status; the job landing in between made it a 409).
    await waitForJob(t.http, jobId);
  });
  afterAll(async () => {
    await pg?.end();
    await t?.close();
  });

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
    const current = (await t.http.get(`/orders/${orderId}`).set(auth()).expect(200)).body.status;
    await t.http
      .patch(`/orders/${orderId}`)
      .set(auth())
      .set('Idempotency-Key', key)
      .send({ status: current })
      .expect(200);
    const res = await t.http
      .patch(`/orders/${orderId}`)
      .set(auth())
      .set('Idempotency-Key', key)
      .send({ status: current === 'cancelled' ? 'paid' : 'cancelled' })
      .expect(422);
    expect(res.body.code).toBe('idempotency_key_reused');
  });

  it('401 on reads of one resource', async () => {
    await t.http.get(`/orders/${orderId}`).expect(401);
    await t.http.patch(`/orders/${orderId}`).send({ status: 'paid' }).expect(401);
    await t.http.get(`/bulk-jobs/${jobId}/items`).expect(401);
  });

  it('503 with Retry-After, never 500, when the database refuses (a table gone mid-deploy)', async () => {
    await pg.query('ALTER TABLE orders RENAME TO orders_away');
    try {
      const responses = [
        await t.http.get('/orders').set(auth()),
        await t.http.get(`/orders/${orderId}`).set(auth()),
        await t.http
          .post('/orders')
          .set(auth())
          .send({ customer_id: 'cus_contract', amount: 10, currency: 'EUR' }),
        await t.http.patch(`/orders/${orderId}`).set(auth()).send({ status: 'paid' }),
      ];
      for (const res of responses) {
        expect(res.status, res.text).toBe(503);
        expect(res.body.code).toBe('service_unavailable');
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
      }
    } finally {
      await pg.query('ALTER TABLE orders_away RENAME TO orders');
    }
  });

  it('503 with Retry-After when a trigger refuses the write (a read-only standby after failover)', async () => {
    await pg.query(`CREATE FUNCTION refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'cannot execute in a read-only transaction' USING ERRCODE = '25006'; END $$`);
    await pg.query(
      'CREATE TRIGGER refuse_writes BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION refuse_writes()',
    );
    try {
      const res = await t.http
        .post('/orders')
        .set(auth())
        .send({ customer_id: 'cus_contract', amount: 10, currency: 'EUR' });
      expect(res.status, res.text).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
    } finally {
      await pg.query('DROP TRIGGER refuse_writes ON orders');
      await pg.query('DROP FUNCTION refuse_writes()');
    }
  });

  it('429 with Retry-After on every operation once a tenant is over its rate', async () => {
    const globex = auth('globex');
    let status = 0;
    for (let i = 0; i < 70 && status !== 429; i++) {
      status = (await t.http.get('/events').set(globex)).status;
    }
    expect(status).toBe(429);
    const responses = [
      await t.http.get('/orders').set(globex),
      await t.http.get(`/orders/${orderId}`).set(globex),
      await t.http
        .post('/orders')
        .set(globex)
        .send({ customer_id: 'c', amount: 1, currency: 'EUR' }),
      await t.http.patch(`/orders/${orderId}`).set(globex).send({ status: 'paid' }),
      await t.http.get('/bulk-jobs').set(globex),
      await t.http
        .post('/bulk-jobs')
        .set(globex)
        .send({ operation: 'create_orders', items: [{}] }),
      await t.http.get(`/bulk-jobs/${jobId}`).set(globex),
      await t.http.delete(`/bulk-jobs/${jobId}`).set(globex),
      await t.http.get(`/bulk-jobs/${jobId}/items`).set(globex),
      await t.http.get(`/bulk-jobs/${jobId}/results`).set(globex),
      await t.http.post(`/bulk-jobs/${jobId}/cancel`).set(globex),
      await t.http.post(`/bulk-jobs/${jobId}/retry`).set(globex),
    ];
    for (const res of responses) {
      expect(res.status).toBe(429);
      expect(res.body.code).toBe('rate_limited');
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
    }
  });
});
