import type { CreateOrder, OrderStatus } from '@app/sdk';
import { describe, expect, it } from 'vitest';
import { answered, body, problem } from './support/sdk';
import { auth } from './support/test-app';
import { useTestApp } from './support/use-test-app';

describe('orders', () => {
  const t = useTestApp({ TEST_LABEL: 'orders' });

  const order = (customer_id: string, amount: number, more: Partial<CreateOrder> = {}) => ({
    customer_id,
    amount,
    currency: 'EUR',
    ...more,
  });
  const create = (order: CreateOrder, client = t.acme) =>
    body(client.POST('/orders', { body: order }), 201);
  const patch = (id: string, status: OrderStatus, client = t.acme) =>
    client.PATCH('/orders/{id}', { params: { path: { id } }, body: { status } });
  const get = (id: string, client = t.acme) =>
    client.GET('/orders/{id}', { params: { path: { id } } });

  it('creates an order with 201, Location and the contract fields', async () => {
    const res = await answered(
      t.acme.POST('/orders', { body: { customer_id: 'cus_1', amount: 1999, currency: 'EUR' } }),
      201,
    );
    const order = res.data!;
    expect(res.response.headers.get('location')).toBe(`/orders/${order.id}`);
    expect(order).toMatchObject({
      customer_id: 'cus_1',
      amount: 1999,
      currency: 'EUR',
      status: 'pending',
      version: 1,
    });
    expect(order.id).toMatch(/^ord_[0-9a-z]{20}$/);
    expect(new Date(order.created_at).toISOString()).toBe(order.created_at);
    expect(Object.keys(order).sort()).toEqual(
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
    expect(await body(get(order.id), 200)).toEqual(order);
  });

  it('accepts an initial status', async () => {
    const created = await create(order('cus_1', 0, { currency: 'USD', status: 'paid' }));
    expect(created).toMatchObject({ currency: 'USD', status: 'paid' });
  });

  it('walks the status machine with PATCH, bumping version only on change', async () => {
    const created = await create(order('cus_2', 5));
    const paid = await body(patch(created.id, 'paid'), 200);
    expect(paid).toMatchObject({ status: 'paid', version: 2 });
    expect(paid.updated_at >= created.updated_at).toBe(true);
    expect(await body(patch(created.id, 'paid'), 200)).toMatchObject({
      status: 'paid',
      version: 2,
    });
    expect(await problem(patch(created.id, 'pending'), 409)).toMatchObject({
      code: 'invalid_transition',
      status: 409,
    });
    await body(patch(created.id, 'shipped'), 200);
    expect((await body(patch(created.id, 'delivered'), 200)).version).toBe(4);
  });

  it('serialises concurrent PATCHes: exactly one of two conflicting moves wins', async () => {
    // From paid, shipped and cancelled exclude each other: whichever lands second is illegal.
    const { id } = await create(order('cus_3', 5, { status: 'paid' }));
    const [a, b] = await Promise.all([patch(id, 'shipped'), patch(id, 'cancelled')]);
    expect([a.response.status, b.response.status].sort()).toEqual([200, 409]);
    expect((await body(get(id), 200)).version).toBe(2);
  });

  // Malformed input is sent as raw HTTP on purpose: the typed client cannot write most of it.
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
  ])('rejects invalid body %j with validation_failed on %s', async (invalid, field) => {
    const res = await t.http.post('/orders').set(auth()).send(invalid).expect(400);
    expect(res.body).toMatchObject({
      code: 'validation_failed',
      status: 400,
      title: 'Bad Request',
    });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it.each([[{ status: 'teleported' }], [{ status: 'paid', amount: 3 }], [{}]])(
    'rejects a PATCH with an unknown status or extra fields (%j)',
    async (invalid) => {
      const { id } = await create(order('c', 1));
      await t.http.patch(`/orders/${id}`).set(auth()).send(invalid).expect(400);
    },
  );

  it('answers 404 for unknown ids and for ids of another tenant', async () => {
    const { id } = await create(order('c', 1));
    expect((await problem(get('ord_doesnotexist'), 404)).code).toBe('not_found');
    await problem(get(id, t.globex), 404);
    await problem(patch(id, 'paid', t.globex), 404);
    const list = await body(t.globex.GET('/orders'), 200);
    expect(list.data.map((o) => o.id)).not.toContain(id);
    expect((await body(get(id), 200)).status).toBe('pending');
  });

  it('lists newest first with filters and the page envelope', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(order('cus_list', i), t.globex)).id);
    await body(patch(ids[1], 'paid', t.globex), 200);
    const list = (query: { status?: OrderStatus; limit?: number }) =>
      answered(
        t.globex.GET('/orders', { params: { query: { customer_id: 'cus_list', ...query } } }),
        200,
      );
    const all = (await list({})).data!;
    expect(all).toMatchObject({ has_more: false, next_cursor: null });
    expect(all.data.map((o) => o.id)).toEqual([...ids].reverse());
    expect((await list({ status: 'paid' })).data!.data.map((o) => o.id)).toEqual([ids[1]]);
    const page = await list({ limit: 2 });
    expect(page.data!.has_more).toBe(true);
    expect(page.response.headers.get('link')).toMatch(
      /^<\/orders\?customer_id=cus_list&limit=2&cursor=[^>]+>; rel="next"$/,
    );
  });
});
