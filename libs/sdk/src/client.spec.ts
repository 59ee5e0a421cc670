import { describe, expect, it } from 'vitest';
import { createBulkRestClient } from './client';
import { BulkRestError, unwrap } from './errors';
import { parseRetryAfter } from './retry';
import { json, networkError, scriptedFetch } from './testing/fake-fetch';

const ORDER = {
  id: 'ord_1',
  customer_id: 'cus_1',
  amount: 100,
  currency: 'EUR',
  status: 'pending',
  version: 1,
  created_at: '2026-01-13T15:15:00.000Z',
  updated_at: '2026-01-13T15:15:00.000Z',
};
const BODY = { customer_id: 'cus_1', amount: 100, currency: 'EUR' };
const problem = (status: number, code: string, title = 'Problem') => ({
  type: `https://problems.example/${code}`,
  title,
  status,
  detail: `detail of ${code}`,
  code,
});

function client(script: Parameters<typeof scriptedFetch>[0], extra = {}) {
  const fake = scriptedFetch(script);
  const sleeps: number[] = [];
  const c = createBulkRestClient({
    baseUrl: 'http://api.test/',
    apiKey: 'key_1',
    fetch: fake.fetch,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...extra,
  });
  return { c, requests: fake.requests, sleeps };
}

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.parse('2026-01-13T15:15:00Z');
    expect(parseRetryAfter('Tue, 13 Jan 2026 15:15:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 13 Jan 2026 15:14:00 GMT', now)).toBe(0);
  });
  it('ignores absent or invalid values', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
  });
});

describe('createBulkRestClient', () => {
  it('waits out a spent rate limit before the next request instead of taking a 429', async () => {
    const spent = { RateLimit: '"default";r=0;t=7', 'RateLimit-Policy': '"default";q=10;w=60' };
    const { c, requests, sleeps } = client([
      json(200, ORDER, { RateLimit: '"default";r=1;t=8' }),
      json(200, ORDER, spent),
      json(200, ORDER, { RateLimit: '"default";r=9;t=60' }),
    ]);
    const get = () => c.GET('/orders/{id}', { params: { path: { id: 'ord_1' } } });
    await get();
    expect(sleeps).toEqual([]);
    await get();
    expect(sleeps).toEqual([]);
    await get();
    // The fake clock is real time: the wait is t = 7 s, less the few ms the test itself took.
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(6_000);
    expect(sleeps[0]).toBeLessThanOrEqual(7_000);
    expect(requests).toHaveLength(3);
  });

  it('sends at once when told not to respect the rate limit', async () => {
    const spent = { RateLimit: '"default";r=0;t=7' };
    const { c, sleeps } = client([json(200, ORDER, spent), json(200, ORDER)], {
      respectRateLimit: false,
    });
    const get = () => c.GET('/orders/{id}', { params: { path: { id: 'ord_1' } } });
    await get();
    await get();
    expect(sleeps).toEqual([]);
  });

  it('sends the API key and the base URL, and types the answer', async () => {
    const { c, requests } = client([json(200, ORDER)]);
    const order = unwrap(await c.GET('/orders/{id}', { params: { path: { id: 'ord_1' } } }));
    expect(order.status).toBe('pending');
    expect(requests[0].url).toBe('http://api.test/orders/ord_1');
    expect(requests[0].headers.authorization).toBe('Bearer key_1');
    expect(requests[0].headers['user-agent']).toMatch(/^bulk-rest-sdk\//);
    expect(requests[0].headers['idempotency-key']).toBeUndefined();
  });

  it('adds an Idempotency-Key to POST and PATCH, a new one per call', async () => {
    const { c, requests } = client([json(201, ORDER), json(201, ORDER), json(200, ORDER)]);
    await c.POST('/orders', { body: BODY });
    await c.POST('/orders', { body: BODY });
    await c.PATCH('/orders/{id}', { params: { path: { id: 'ord_1' } }, body: { status: 'paid' } });
    const keys = requests.map((r) => r.headers['idempotency-key']);
    expect(keys.every((k) => /^[0-9a-f-]{36}$/.test(k))).toBe(true);
    expect(new Set(keys).size).toBe(3);
  });

  it("keeps the caller's own key", async () => {
    const { c, requests } = client([json(201, ORDER)]);
    await c.POST('/orders', { body: BODY, params: { header: { 'Idempotency-Key': 'mine-1' } } });
    expect(requests[0].headers['idempotency-key']).toBe('mine-1');
  });

  it('retries network errors and 503 with backoff, replaying the same key and body', async () => {
    const { c, requests, sleeps } = client([
      networkError(),
      json(503, problem(503, 'service_unavailable')),
      json(201, ORDER),
    ]);
    const result = await c.POST('/orders', { body: BODY });
    expect(result.response.status).toBe(201);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(requests.map((r) => JSON.parse(r.body))).toEqual([BODY, BODY, BODY]);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(125);
    expect(sleeps[0]).toBeLessThanOrEqual(250);
    expect(sleeps[1]).toBeGreaterThanOrEqual(250);
    expect(sleeps[1]).toBeLessThanOrEqual(500);
  });

  it('waits Retry-After on 409 idempotency_key_in_use, then replays the same key', async () => {
    const { c, requests, sleeps } = client([
      json(409, problem(409, 'idempotency_key_in_use'), { 'Retry-After': '2' }),
      json(201, ORDER, { 'Idempotent-Replayed': 'true' }),
    ]);
    const result = await c.POST('/orders', { body: BODY });
    expect(result.data?.id).toBe('ord_1');
    expect(sleeps).toEqual([2000]);
    expect(requests[0].headers['idempotency-key']).toBe(requests[1].headers['idempotency-key']);
  });

  it('honours Retry-After on 429 for any method', async () => {
    const { c, sleeps } = client([
      json(429, problem(429, 'rate_limited'), { 'Retry-After': '1' }),
      json(200, ORDER),
    ]);
    const result = await c.GET('/orders/{id}', { params: { path: { id: 'ord_1' } } });
    expect(result.response.status).toBe(200);
    expect(sleeps).toEqual([1000]);
  });

  it('caps Retry-After at maxDelayMs', async () => {
    const { c, sleeps } = client(
      [json(503, problem(503, 'service_unavailable'), { 'Retry-After': '3600' }), json(200, ORDER)],
      { retry: { maxDelayMs: 5000 } },
    );
    await c.GET('/orders/{id}', { params: { path: { id: 'ord_1' } } });
    expect(sleeps).toEqual([5000]);
  });

  it('does not retry other conflicts, client errors or 500', async () => {
    for (const res of [
      json(409, problem(409, 'invalid_transition')),
      json(422, problem(422, 'idempotency_key_reused')),
      json(500, problem(500, 'internal_error')),
      json(400, problem(400, 'validation_failed')),
    ]) {
      const { c, requests } = client([res]);
      const result = await c.PATCH('/orders/{id}', {
        params: { path: { id: 'ord_1' } },
        body: { status: 'paid' },
      });
      expect(requests).toHaveLength(1);
      expect(() => unwrap(result)).toThrow(BulkRestError);
    }
  });

  it('gives up after maxAttempts and returns the last answer', async () => {
    const { c, requests } = client(
      [
        json(503, problem(503, 'service_unavailable')),
        json(503, problem(503, 'service_unavailable')),
        json(503, problem(503, 'service_unavailable')),
      ],
      { retry: { maxAttempts: 3 } },
    );
    const result = await c.GET('/orders/{id}', { params: { path: { id: 'ord_1' } } });
    expect(requests).toHaveLength(3);
    expect(result.response.status).toBe(503);
    expect(() => unwrap(result)).toThrow(/503 Problem: detail of service_unavailable/);
  });

  it('never repeats a POST without a key (idempotencyKeys: false)', async () => {
    const { c, requests } = client([networkError()], { idempotencyKeys: false });
    await expect(c.POST('/orders', { body: BODY })).rejects.toThrow('fetch failed');
    expect(requests).toHaveLength(1);
    expect(requests[0].headers['idempotency-key']).toBeUndefined();
  });

  it('retry: false sends once', async () => {
    const { c, requests } = client([json(503, problem(503, 'service_unavailable'))], {
      retry: false,
    });
    await c.GET('/orders/{id}', { params: { path: { id: 'ord_1' } } });
    expect(requests).toHaveLength(1);
  });

  it('send() re-creates a streamed body for each attempt, with one key', async () => {
    const { c, requests } = client([networkError(), json(202, { id: 'job_1' })]);
    let made = 0;
    const response = await c.send('/bulk-jobs?operation=x', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv' },
      body: () => {
        made++;
        return (async function* () {
          await Promise.resolve();
          yield new TextEncoder().encode('id,status\n');
          yield new TextEncoder().encode('ord_1,paid\n');
        })();
      },
    });
    expect(response.status).toBe(202);
    expect(made).toBe(2);
    expect(requests.map((r) => r.body)).toEqual([
      'id,status\nord_1,paid\n',
      'id,status\nord_1,paid\n',
    ]);
    expect(requests[0].headers['idempotency-key']).toBe(requests[1].headers['idempotency-key']);
    expect(requests[1].headers['content-type']).toBe('text/csv');
  });

  it('BulkRestError carries the problem details', async () => {
    const { c } = client([json(404, problem(404, 'not_found', 'Not Found'))]);
    const result = await c.GET('/orders/{id}', { params: { path: { id: 'ord_x' } } });
    try {
      unwrap(result);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BulkRestError);
      const err = e as BulkRestError;
      expect(err.status).toBe(404);
      expect(err.code).toBe('not_found');
      expect(err.message).toBe('404 Not Found: detail of not_found');
    }
  });
});
