import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createTestApp, type TestApp } from './support/test-app';

describe('orders', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TEST_LABEL: 'orders' });
  });
  afterAll(async () => t?.close());

  const create = (body: object, tenant: 'acme' | 'globex' = 'acme') =>
    t.http.post('/orders').set(auth(tenant)).send(body);

  it('creates an order with 201, Location and the contract fields', async () => {
    const res = await create({ customer_id: 'cus_1', amount: 1999, currency: 'EUR' }).expect(201);
    expect(res.headers.location).toBe(`/orders/${res.body.id}`);
    expect(res.body).toMatchObject({
      customer_id: 'cus_1',
      amount: 1999,
      currency: 'EUR',
      status: 'pending',
      version: 1,
    });
    expect(res.body.id).toMatch(/^ord_[0-9a-z]{20}$/);
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);
    expect(Object.keys(res.body).sort()).toEqual(
      [
        'amount',
        'created_at',
        'currency',
        'customer_id',
        'id',
        'status',
        'updated_at',
        'version',
      ].sort(),
    );
    const got = await t.http.get(res.headers.location).set(auth()).expect(200);
    expect(got.body).toEqual(res.body);
  });

  it('accepts an initial status', async () => {
    const res = await create({
      customer_id: 'cus_1',
      amount: 0,
      currency: 'USD',
      status: 'paid',
    }).expect(201);
    expect(res.body.status).toBe('paid');
  });

  it('walks the status machine with PATCH, bumping version only on change', async () => {
    const { body: order } = await create({
      customer_id: 'cus_2',
      amount: 5,
      currency: 'EUR',
    }).expect(201);
    const paid = await t.http
      .patch(`/orders/${order.id}`)
      .set(auth())
      .send({ status: 'paid' })
      .expect(200);
    expect(paid.body).toMatchObject({ status: 'paid', version: 2 });
    expect(paid.body.updated_at >= order.updated_at).toBe(true);
    const same = await t.http
      .patch(`/orders/${order.id}`)
      .set(auth())
      .send({ status: 'paid' })
      .expect(200);
    expect(same.body).toMatchObject({ status: 'paid', version: 2 });
    const bad = await t.http
      .patch(`/orders/${order.id}`)
      .set(auth())
      .send({ status: 'pending' })
      .expect(409);
    expect(bad.body).toMatchObject({ code: 'invalid_transition', status: 409 });
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    await t.http.patch(`/orders/${order.id}`).set(auth()).send({ status: 'shipped' }).expect(200);
    const done = await t.http
      .patch(`/orders/${order.id}`)
      .set(auth())
      .send({ status: 'delivered' })
      .expect(200);
    expect(done.body.version).toBe(4);
  });

  it('serialises concurrent PATCHes: exactly one of two conflicting moves wins', async () => {
    // From paid, shipped and cancelled exclude each other: whichever lands second is illegal.
    const { body: order } = await create({
      customer_id: 'cus_3',
      amount: 5,
      currency: 'EUR',
      status: 'paid',
    }).expect(201);
    const [a, b] = await Promise.all([
      t.http.patch(`/orders/${order.id}`).set(auth()).send({ status: 'shipped' }),
      t.http.patch(`/orders/${order.id}`).set(auth()).send({ status: 'cancelled' }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const final = await t.http.get(`/orders/${order.id}`).set(auth()).expect(200);
    expect(final.body.version).toBe(2);
  });

  it.each([
    [{ customer_id: 'c', amount: -1, currency: 'EUR' }, 'amount'],
    [{ customer_id: 'c', amount: 1.5, currency: 'EUR' }, 'amount'],
    [{ customer_id: 'c', amount: '10', currency: 'EUR' }, 'amount'],
    [{ customer_id: 'c', amount: 1, currency: 'eur' }, 'currency'],
    [{ customer_id: '', amount: 1, currency: 'EUR' }, 'customer_id'],
    [{ amount: 1, currency: 'EUR' }, 'customer_id'],
    [{ customer_id: 'c', amount: 1, currency: 'EUR', status: 'lost' }, 'status'],
    [{ customer_id: 'c', amount: 1, currency: 'EUR', extra: true }, 'extra'],
    [{ customer_id: 'c', amount: 1e300, currency: 'EUR' }, 'amount'],
  ])('rejects invalid body %j with validation_failed on %s', async (body, field) => {
    const res = await create(body).expect(400);
    expect(res.body).toMatchObject({
      code: 'validation_failed',
      status: 400,
      title: 'Bad Request',
    });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('rejects a PATCH with an unknown status or extra fields', async () => {
    const { body: order } = await create({ customer_id: 'c', amount: 1, currency: 'EUR' }).expect(
      201,
    );
    await t.http
      .patch(`/orders/${order.id}`)
      .set(auth())
      .send({ status: 'teleported' })
      .expect(400);
    await t.http
      .patch(`/orders/${order.id}`)
      .set(auth())
      .send({ status: 'paid', amount: 3 })
      .expect(400);
    await t.http.patch(`/orders/${order.id}`).set(auth()).send({}).expect(400);
  });

  it('answers 404 for unknown ids and for ids of another tenant', async () => {
    const { body: order } = await create({ customer_id: 'c', amount: 1, currency: 'EUR' }).expect(
      201,
    );
    const res = await t.http.get('/orders/ord_doesnotexist').set(auth()).expect(404);
    expect(res.body.code).toBe('not_found');
    await t.http.get(`/orders/${order.id}`).set(auth('globex')).expect(404);
    await t.http
      .patch(`/orders/${order.id}`)
      .set(auth('globex'))
      .send({ status: 'paid' })
      .expect(404);
    const list = await t.http.get('/orders').set(auth('globex')).expect(200);
    expect(list.body.data.map((o: { id: string }) => o.id)).not.toContain(order.id);
    const unchanged = await t.http.get(`/orders/${order.id}`).set(auth()).expect(200);
    expect(unchanged.body.status).toBe('pending');
  });

  it('lists newest first with filters and the page envelope', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await create(
        { customer_id: 'cus_list', amount: i, currency: 'EUR' },
        'globex',
      ).expect(201);
      ids.push(body.id);
    }
    await t.http
      .patch(`/orders/${ids[1]}`)
      .set(auth('globex'))
      .send({ status: 'paid' })
      .expect(200);
    const all = await t.http.get('/orders?customer_id=cus_list').set(auth('globex')).expect(200);
    expect(all.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(all.body.data.map((o: { id: string }) => o.id)).toEqual([...ids].reverse());
    const paid = await t.http
      .get('/orders?customer_id=cus_list&status=paid')
      .set(auth('globex'))
      .expect(200);
    expect(paid.body.data.map((o: { id: string }) => o.id)).toEqual([ids[1]]);
    const page = await t.http
      .get('/orders?customer_id=cus_list&limit=2')
      .set(auth('globex'))
      .expect(200);
    expect(page.body.has_more).toBe(true);
    expect(page.headers.link).toMatch(
      /^<\/orders\?customer_id=cus_list&limit=2&cursor=[^>]+>; rel="next"$/,
    );
  });
});
