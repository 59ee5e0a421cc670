import { IdempotencyService } from '@app/idempotency';
import type { Order } from '@app/sdk';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { holdKeyLock } from './support/idempotency-lock';
import { IdempotencyProbeModule } from './support/idempotency-probe.module';
import { body, problem } from './support/sdk';
import { auth, type TenantName } from './support/test-app';
import { useTestApp } from './support/use-test-app';

/**
 * Idempotency-Key requests are sent as raw HTTP on purpose: the header, the exact bytes of a body
 * and of a replayed answer are what these tests are about. The rest (orders made or read without a
 * key) goes through the typed SDK.
 */
describe('idempotency keys', () => {
  const t = useTestApp({ TEST_LABEL: 'idem', IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '2' }, [
    IdempotencyProbeModule,
  ]);

  const key = () => `key-${randomUUID()}`;
  const orderBody = (customer: string) => ({ customer_id: customer, amount: 100, currency: 'EUR' });
  /** A raw request under Idempotency-Key `k`. */
  const keyed = (
    method: 'post' | 'patch',
    path: string,
    k: string,
    payload: object,
    tenant: TenantName = 'acme',
  ) => t.http[method](path).set(auth(tenant)).set('Idempotency-Key', k).send(payload);
  const postOrder = (k: string, customer: string, tenant?: TenantName) =>
    keyed('post', '/orders', k, orderBody(customer), tenant);
  const patchOrder = (id: string, k: string, status: string) =>
    keyed('patch', `/orders/${id}`, k, { status });
  /** An order made without a key. */
  const newOrder = (customer: string): Promise<Order> =>
    body(t.acme.POST('/orders', { body: orderBody(customer) }), 201);
  const getOrder = (id: string, client = t.acme) =>
    client.GET('/orders/{id}', { params: { path: { id } } });
  const countOrders = async (customer: string) =>
    Number(
      (await t.pg.query('SELECT count(*) FROM orders WHERE customer_id = $1', [customer])).rows[0]
        .count,
    );
  const record = async (k: string) =>
    (await t.pg.query('SELECT * FROM idempotency_keys WHERE key = $1', [k])).rows[0] as
      Record<string, unknown> | undefined;
  const expire = (k: string) =>
    t.pg.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`,
      [k],
    );

  it('replays a 201 byte for byte with Location and Idempotent-Replayed, executing once', async () => {
    const k = key();
    const first = await postOrder(k, 'cus_replay').expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await postOrder(k, 'cus_replay').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['content-length']).toBe(first.headers['content-length']);
    expect(again.text).toBe(first.text);
    expect(await countOrders('cus_replay')).toBe(1);
    expect(await record(k)).toMatchObject({
      state: 'completed',
      response_status: 201,
      method: 'POST',
      path: '/orders',
    });
  });

  it('stores quotes, backslashes and non-ASCII in keys and bodies exactly (recorded as SQL literals)', async () => {
    const k = `${key()} it's \\ "odd" %s $1 ;--`;
    const customer = `cus_o'brien \\ "q" ünï ✓ \n ;-- $$`;
    const first = await postOrder(k, customer).expect(201);
    expect(first.body.customer_id).toBe(customer);
    const again = await postOrder(k, customer).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(await countOrders(customer)).toBe(1);
    expect((await record(k))?.response_body).toBe(first.text);
  });

  it('treats a body with reordered keys as the same request', async () => {
    const k = key();
    await keyed('post', '/orders', k, {
      customer_id: 'cus_order',
      amount: 1,
      currency: 'EUR',
    }).expect(201);
    const again = await t.http
      .post('/orders')
      .set(auth())
      .set('Idempotency-Key', k)
      .set('content-type', 'application/json')
      .send('{"currency":"EUR","amount":1,"customer_id":"cus_order"}')
      .expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countOrders('cus_order')).toBe(1);
  });

  it('replays a 202 with its Location', async () => {
    const k = key();
    const accept = () => keyed('post', '/probe/accept', k, { customer_id: 'cus_202' });
    const first = await accept().expect(202);
    const again = await accept().expect(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.text).toBe(first.text);
    expect(await countOrders('cus_202')).toBe(1);
  });

  it('replays PATCH without changing the version again', async () => {
    const order = await newOrder('cus_patch');
    const k = key();
    const first = await patchOrder(order.id, k, 'paid').expect(200);
    await body(
      t.acme.PATCH('/orders/{id}', {
        params: { path: { id: order.id } },
        body: { status: 'shipped' },
      }),
      200,
    );
    const again = await patchOrder(order.id, k, 'paid').expect(200);
    expect(again.text).toBe(first.text);
    expect(again.body.status).toBe('paid');
    expect(await body(getOrder(order.id), 200)).toMatchObject({ status: 'shipped', version: 3 });
  });

  it('answers 422 idempotency_key_reused for another body, path or method under the same key', async () => {
    const k = key();
    await postOrder(k, 'cus_422').expect(201);
    const other = await postOrder(k, 'cus_422b').expect(422);
    expect(other.body).toMatchObject({ code: 'idempotency_key_reused', status: 422 });
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    const order = await newOrder('cus_422');
    await patchOrder(order.id, k, 'paid').expect(422);
    await keyed('post', '/probe/accept', k, { customer_id: 'cus_422' }).expect(422);
    expect(await countOrders('cus_422b')).toBe(0);
  });

  describe.each([
    [
      'application/x-ndjson',
      '{"id":"ord_a1","status":"paid"}\n',
      '{"id":"ord_b2","status":"paid"}\n',
    ],
    ['text/csv', 'id,status\nord_a1,paid\n', 'id,status\nord_b2,paid\n'],
  ])('a streamed %s upload', (type, file, other) => {
    const upload = (k: string, content: string) =>
      t.http
        .post('/bulk-jobs?operation=update_orders_status')
        .set(auth())
        .set('Idempotency-Key', k)
        .set('Content-Type', type)
        .send(content);
    const jobCount = async () =>
      Number((await t.pg.query('SELECT count(*) FROM bulk_jobs')).rows[0].count);

    it('replays the same file under the same key, creating one job', async () => {
      const k = key();
      const first = await upload(k, file).expect(202);
      const before = await jobCount();
      const again = await upload(k, file).expect(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.body.id).toBe(first.body.id);
      expect(await jobCount()).toBe(before);
    });

    it('answers 422 for a different file of the same length under the same key', async () => {
      expect(other.length).toBe(file.length);
      const k = key();
      await upload(k, file).expect(202);
      const before = await jobCount();
      const res = await upload(k, other).expect(422);
      expect(res.body.code).toBe('idempotency_key_reused');
      expect(res.headers['idempotent-replayed']).toBeUndefined();
      expect(await jobCount()).toBe(before);
    });
  });

  it('lets 50 concurrent identical requests create exactly one order', async () => {
    const k = key();
    const responses = await Promise.all(Array.from({ length: 50 }, () => postOrder(k, 'cus_race')));
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const executed = responses.filter(
      (r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined,
    );
    expect(executed).toHaveLength(1);
    for (const r of responses.filter((r) => r.status === 409)) {
      expect(r.body.code).toBe('idempotency_key_in_use');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    for (const r of responses.filter((r) => r.status === 201))
      expect(r.text).toBe(executed[0].text);
    expect(await countOrders('cus_race')).toBe(1);
  });

  it('answers 409 idempotency_key_in_use with Retry-After while the first request runs, then replays', async () => {
    const k = key();
    const slow = () => keyed('post', '/probe/slow', k, { customer_id: 'cus_slow' });
    const slowDone = slow().then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const busy = await slow().expect(409);
    expect(busy.body.code).toBe('idempotency_key_in_use');
    expect(busy.headers['retry-after']).toMatch(/^\d+$/);
    const first = await slowDone;
    expect(first.status).toBe(201);
    const again = await slow().expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countOrders('cus_slow')).toBe(1);
  });

  it('answers 409 on POST /orders while another request holds the key, and runs once it is free', async () => {
    const k = key();
    const release = await holdKeyLock(t.pg, 'acme', k);
    try {
      const busy = await postOrder(k, 'cus_held').expect(409);
      expect(busy.body.code).toBe('idempotency_key_in_use');
      expect(busy.headers['retry-after']).toBe('1');
      expect(await countOrders('cus_held')).toBe(0);
      expect(await record(k)).toBeUndefined();
    } finally {
      await release();
    }
    const done = await postOrder(k, 'cus_held').expect(201);
    expect(done.headers['idempotent-replayed']).toBeUndefined();
    expect(await countOrders('cus_held')).toBe(1);
  });

  it('scopes keys per tenant', async () => {
    const k = key();
    const a = await postOrder(k, 'cus_scope', 'acme').expect(201);
    const b = await postOrder(k, 'cus_scope', 'globex').expect(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
    await problem(getOrder(a.body.id, t.globex), 404);
    expect(await countOrders('cus_scope')).toBe(2);
  });

  it('does not store validation failures: the key stays usable', async () => {
    const k = key();
    await keyed('post', '/orders', k, {
      customer_id: 'cus_val',
      amount: -5,
      currency: 'EUR',
    }).expect(400);
    expect(await record(k)).toBeUndefined();
    const ok = await postOrder(k, 'cus_val').expect(201);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
  });

  it('stores a 4xx outcome of the handler and replays it', async () => {
    const order = await newOrder('cus_409');
    const k = key();
    const first = await patchOrder(order.id, k, 'delivered').expect(409);
    const again = await patchOrder(order.id, k, 'delivered').expect(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.text).toBe(first.text);
    expect(again.body.code).toBe('invalid_transition');
  });

  it('rolls back a handler that fails after its write: no order, no record, and a retry executes', async () => {
    const k = key();
    const res = await keyed('post', '/probe/fail-after-write', k, { customer_id: 'cus_fail' });
    expect(res.status).toBe(500);
    expect(await countOrders('cus_fail')).toBe(0);
    expect(await record(k)).toBeUndefined();
    const retry = await keyed('post', '/probe/accept', k, { customer_id: 'cus_fail' }).expect(202);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await countOrders('cus_fail')).toBe(1);
  });

  it.each([
    ['x'.repeat(256), 'too long'],
    ['', 'empty'],
    ['caf\u00e9', 'non-ASCII'],
    ['tab\tinside', 'control character'],
  ])('rejects an invalid key (%s: %s) with 400', async (k) => {
    const res = await postOrder(k, 'cus_badkey');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors[0].field).toBe('Idempotency-Key');
    expect(await countOrders('cus_badkey')).toBe(0);
  });

  it('accepts a 255-character key', async () => {
    await postOrder('k'.repeat(255), 'cus_255').expect(201);
  });

  it('treats an expired record as absent and sweeps expired records', async () => {
    const k = key();
    await postOrder(k, 'cus_exp').expect(201);
    await expire(k);
    const fresh = await postOrder(k, 'cus_exp2').expect(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    const k2 = key();
    await postOrder(k2, 'cus_exp3').expect(201);
    await expire(k2);
    const deleted = await t.app.get(IdempotencyService).sweepExpired();
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await record(k2)).toBeUndefined();
    expect(await record(k)).toBeDefined();
  });

  it('takes over a stale lock left by a dead owner', async () => {
    const k = key();
    // What a process that died after claiming leaves behind: a 'processing' row with an old lock.
    await postOrder(k, 'cus_stale').expect(201);
    await t.pg.query(
      `UPDATE idempotency_keys SET state = 'processing', lock_token = gen_random_uuid(), locked_at = now() - interval '10 seconds',
       response_status = NULL, response_body = NULL WHERE key = $1`,
      [k],
    );
    await t.pg.query(`DELETE FROM orders WHERE customer_id = 'cus_stale'`);
    const res = await postOrder(k, 'cus_stale').expect(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await countOrders('cus_stale')).toBe(1);
  });

  it('documents the header and its problems on every POST and PATCH', async () => {
    const spec = (await t.http.get('/openapi.json').expect(200)).body;
    for (const [path, item] of Object.entries(
      spec.paths as Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; in: string; description: string }[];
            responses: Record<string, unknown>;
          }
        >
      >,
    )) {
      for (const method of ['post', 'patch']) {
        const op = item[method];
        if (!op) continue;
        const header = op.parameters?.find(
          (p) => p.name === 'Idempotency-Key' && p.in === 'header',
        );
        expect(header, `${method} ${path}`).toBeDefined();
        expect(header?.description).toMatch(/86400 seconds/);
        expect(op.responses['409']).toBeDefined();
        expect(op.responses['422']).toBeDefined();
      }
    }
  });
});
