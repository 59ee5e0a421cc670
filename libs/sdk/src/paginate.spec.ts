import { describe, expect, it } from 'vitest';
import { createBulkRestClient } from './client';
import { BulkRestError } from './errors';
import { collect, paginate } from './paginate';
import { json, scriptedFetch } from './testing/fake-fetch';

const order = (id: string) => ({
  id,
  customer_id: 'cus_1',
  amount: 1,
  currency: 'EUR',
  status: 'paid' as const,
  version: 1,
  created_at: '2026-01-13T15:15:00.000Z',
  updated_at: '2026-01-13T15:15:00.000Z',
});

describe('paginate', () => {
  it('follows next_cursor until has_more is false, keeping the filters', async () => {
    const fake = scriptedFetch([
      json(200, { data: [order('ord_3')], has_more: true, next_cursor: 'c1' }),
      json(200, { data: [order('ord_2')], has_more: true, next_cursor: 'c2' }),
      json(200, { data: [order('ord_1')], has_more: false, next_cursor: null }),
    ]);
    const client = createBulkRestClient({ baseUrl: 'http://api.test', fetch: fake.fetch });
    const ids: string[] = [];
    for await (const o of paginate((query) => client.GET('/orders', { params: { query } }), {
      limit: 1,
      status: 'paid',
    })) {
      ids.push(o.id);
    }
    expect(ids).toEqual(['ord_3', 'ord_2', 'ord_1']);
    expect(fake.requests.map((r) => new URL(r.url).search)).toEqual([
      '?limit=1&status=paid',
      '?limit=1&status=paid&cursor=c1',
      '?limit=1&status=paid&cursor=c2',
    ]);
  });

  it('accepts a function returning pages directly, and stops early when the caller does', async () => {
    let calls = 0;
    const pages = (query: { cursor?: string }) => {
      calls++;
      const n = Number(query.cursor ?? 0);
      return Promise.resolve({ data: [n, n + 1], has_more: true, next_cursor: String(n + 2) });
    };
    expect(await collect(paginate(pages), 5)).toEqual([0, 1, 2, 3, 4]);
    expect(calls).toBe(3);
  });

  it('throws the problem of a failed page', async () => {
    const fake = scriptedFetch([
      json(200, { data: [order('ord_2')], has_more: true, next_cursor: 'c1' }),
      json(400, {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'The cursor is invalid',
        code: 'invalid_cursor',
      }),
    ]);
    const client = createBulkRestClient({ baseUrl: 'http://api.test', fetch: fake.fetch });
    const seen: string[] = [];
    const run = async () => {
      for await (const o of paginate((query) => client.GET('/orders', { params: { query } })))
        seen.push(o.id);
    };
    const error: unknown = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkRestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_cursor' });
    expect(seen[0]).toBe('ord_2');
  });

  it('refuses a cursor that does not move', async () => {
    const same = () => Promise.resolve({ data: [1], has_more: true, next_cursor: 'c' });
    await expect(collect(paginate(same))).rejects.toThrow('same cursor twice');
  });
});
