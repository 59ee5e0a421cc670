import { UploadSlots } from '@app/common';
import { ADVISORY_LOCKS } from '@app/database';
import { rateLimitsOf, type BulkRestClient, type Limit, type LimitName } from '@app/sdk';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { recorder } from './support/openapi-validator';
import { answered, body, problem, sdkClient } from './support/sdk';
import { useTestApp } from './support/use-test-app';

/** `GET /limits` through the SDK: each quota by name. */
async function limitsOf(client: BulkRestClient) {
  const r = await answered(client.GET('/limits'), 200);
  const byName = new Map<LimitName, Limit>(r.data!.data.map((l) => [l.name, l]));
  return { byName, response: r.response, names: r.data!.data.map((l) => l.name) };
}

/** The one `RateLimit` policy of an answer (the tenant's request limit). */
function requestLimit(response: Response) {
  const all = rateLimitsOf(response);
  expect(all, response.headers.get('ratelimit') ?? '(no RateLimit header)').toHaveLength(1);
  return all[0];
}

/** The next UTC midnight after the server's `Date` header. */
const nextUtcMidnight = (date: Date) =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1));

describe('visible limits: GET /limits and the RateLimit headers', () => {
  // No workers: an accepted job stays unfinished, so what it holds stays visible.
  const t = useTestApp({
    TEST_LABEL: 'limits',
    RUN_WORKERS: 'false',
    RATE_LIMIT_PER_MINUTE: '1000',
    TENANT_MAX_ACTIVE_JOBS: '3',
    TENANT_MAX_ITEMS_PER_DAY: '50',
    TENANT_MAX_CONCURRENT_CHUNKS: '2',
    TENANT_MAX_CONCURRENT_UPLOADS: '5',
  });

  it('lists every quota, and counts requests as the headers of each answer do', async () => {
    const first = await limitsOf(t.acme);
    expect(first.names).toEqual([
      'requests',
      'active_jobs',
      'items_per_day',
      'concurrent_uploads',
      'concurrent_chunks',
    ]);
    const requests = first.byName.get('requests')!;
    expect(requests.limit).toBe(1000);
    expect(requests.used).toBeGreaterThanOrEqual(1); // this request counts too
    expect(requests.remaining).toBe(1000 - requests.used);
    // The headers of the same answer say the same, per draft-ietf-httpapi-ratelimit-headers-10.
    expect(first.response.headers.get('ratelimit-policy')).toBe('"default";q=1000;w=60');
    const header = requestLimit(first.response);
    expect(header).toMatchObject({ policy: 'default', quota: 1000, windowSeconds: 60 });
    expect(header.remaining).toBe(requests.remaining);
    expect(header.resetSeconds).toBeGreaterThanOrEqual(1);
    expect(header.resetSeconds).toBeLessThanOrEqual(60);
    // reset_at is the window's end: `t` seconds after the answer (the Date header has whole seconds).
    const answeredAt = Date.parse(first.response.headers.get('date')!);
    const resetAt = Date.parse(requests.reset_at!);
    expect(resetAt).toBeGreaterThan(answeredAt + (header.resetSeconds! - 2) * 1000);
    expect(resetAt).toBeLessThan(answeredAt + (header.resetSeconds! + 2) * 1000);

    // Every answer to the tenant counts one more, and says so.
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await answered(t.acme.GET('/orders', { params: { query: { limit: 1 } } }), 200);
      remaining.push(requestLimit(r.response).remaining);
    }
    expect(remaining).toEqual([1, 2, 3, 4, 5].map((n) => requests.remaining! - n));
    const after = await limitsOf(t.acme);
    expect(after.byName.get('requests')).toMatchObject({
      limit: 1000,
      used: requests.used + 6,
      remaining: requests.remaining! - 6,
    });
    expect(requestLimit(after.response).remaining).toBe(requests.remaining! - 6);
    // Another tenant has a budget of its own.
    const other = (await limitsOf(t.globex)).byName.get('requests')!;
    expect(other.used).toBeLessThan(requests.used + 6);
  });

  it('sends the headers on problems of an authenticated request, never to an anonymous one', async () => {
    const missing = await answered(
      t.acme.GET('/bulk-jobs/{id}', { params: { path: { id: 'job_doesnotexist' } } }),
      404,
    );
    expect(requestLimit(missing.response)).toMatchObject({ policy: 'default', quota: 1000 });
    const invalid = await answered(
      t.acme.GET('/orders', { params: { query: { limit: 1000 } } }),
      400,
    );
    expect(requestLimit(invalid.response).policy).toBe('default');
    const anonymous = await sdkClient(t, null);
    const unauthorized = await answered(anonymous.GET('/limits'), 401);
    expect(unauthorized.response.headers.get('ratelimit')).toBeNull();
    expect(unauthorized.response.headers.get('ratelimit-policy')).toBeNull();
    const wrongKey = await sdkClient(t, null, { apiKey: 'key_nobody' });
    const refused = await answered(wrongKey.GET('/orders'), 401);
    expect(refused.response.headers.get('ratelimit')).toBeNull();
  });

  it('sends the headers, counted anew, on a replayed idempotent answer', async () => {
    const create = () =>
      t.acme.POST('/orders', {
        body: { customer_id: 'lim_idem', amount: 5, currency: 'EUR' },
        headers: { 'Idempotency-Key': 'limits-replay-1' },
      });
    const first = await answered(create(), 201);
    const again = await answered(create(), 201);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(requestLimit(again.response).remaining).toBe(requestLimit(first.response).remaining - 1);
  });

  it('shows active jobs and items per day move with an accepted job', async () => {
    const before = (await limitsOf(t.acme)).byName;
    expect(before.get('active_jobs')).toEqual({
      name: 'active_jobs',
      limit: 3,
      used: 0,
      remaining: 3,
      reset_at: null,
    });
    const items = before.get('items_per_day')!;
    expect(items).toMatchObject({ limit: 50, used: 0, remaining: 50 });
    const job = await body(
      t.acme.POST('/bulk-jobs', {
        body: {
          operation: 'create_orders',
          items: [1, 2, 3].map((n) => ({ customer_id: `lim_${n}`, amount: n, currency: 'EUR' })),
        },
      }),
      202,
    );
    expect(job.status).toBe('pending');
    const { byName: after, response } = await limitsOf(t.acme);
    expect(after.get('active_jobs')).toMatchObject({ limit: 3, used: 1, remaining: 2 });
    expect(after.get('items_per_day')).toMatchObject({ limit: 50, used: 3, remaining: 47 });
    // The daily count starts again at the next UTC midnight.
    const midnight = nextUtcMidnight(new Date(response.headers.get('date')!));
    expect(after.get('items_per_day')!.reset_at).toBe(midnight.toISOString());
    // Another tenant's quotas are its own.
    const globex = (await limitsOf(t.globex)).byName;
    expect(globex.get('active_jobs')!.used).toBe(0);
    expect(globex.get('items_per_day')!.used).toBe(0);
  });

  it('shows uploads in flight and chunks running for the tenant', async () => {
    const before = (await limitsOf(t.acme)).byName;
    expect(before.get('concurrent_uploads')).toEqual({
      name: 'concurrent_uploads',
      limit: 5,
      used: 0,
      remaining: 5,
      reset_at: null,
    });
    expect(before.get('concurrent_chunks')).toEqual({
      name: 'concurrent_chunks',
      limit: 2,
      used: 0,
      remaining: 2,
      reset_at: null,
    });
    // An upload in flight holds one of the tenant's slots in this process, as the upload path takes it.
    const release = t.app.get(UploadSlots).acquire('acme');
    expect(release).toBeDefined();
    // A chunk being applied holds one of its tenant's slots: the same advisory lock a worker's
    // transaction takes (slot 0 of acme), held here by a connection of the test's own.
    const worker = new Client({ connectionString: t.db.url });
    await worker.connect();
    try {
      await worker.query('BEGIN');
      await worker.query('SELECT pg_advisory_xact_lock(hashtext($1), $2)', [
        'acme',
        ADVISORY_LOCKS.tenantSlots,
      ]);
      const during = (await limitsOf(t.acme)).byName;
      expect(during.get('concurrent_uploads')).toMatchObject({ used: 1, remaining: 4 });
      expect(during.get('concurrent_chunks')).toMatchObject({ used: 1, remaining: 1 });
      const globex = (await limitsOf(t.globex)).byName;
      expect(globex.get('concurrent_uploads')!.used).toBe(0);
      expect(globex.get('concurrent_chunks')!.used).toBe(0);
      await worker.query('COMMIT');
    } finally {
      release?.();
      await worker.end();
    }
    const after = (await limitsOf(t.acme)).byName;
    expect(after.get('concurrent_uploads')!.used).toBe(0);
    expect(after.get('concurrent_chunks')!.used).toBe(0);
  });

  it('every answer above matched openapi.json, GET /limits included', () => {
    // The app's response recorder checks each answer against the document as it is sent (a
    // mismatch fails the test it happened in); this says the checks ran for these operations.
    expect(recorder.reached.get('GET /limits 200')).toBeGreaterThan(0);
    expect(recorder.reached.get('GET /limits 401')).toBe(1);
    expect(recorder.reached.get('GET /bulk-jobs/{id} 404')).toBe(1);
  });
});

describe('visible limits at the edge of the budget', () => {
  const t = useTestApp({
    TEST_LABEL: 'limits429',
    RUN_WORKERS: 'false',
    RATE_LIMIT_PER_MINUTE: '3',
  });

  it('reaches 0 remaining, then answers 429 with the headers and a Retry-After as long as t', async () => {
    const seen: { remaining: number; reset?: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await answered(t.acme.GET('/orders'), 200);
      const limit = requestLimit(r.response);
      seen.push({ remaining: limit.remaining, reset: limit.resetSeconds });
    }
    expect(seen.map((s) => s.remaining)).toEqual([2, 1, 0]);
    const limited = await t.acme.GET('/limits');
    expect((await problem(limited, 429)).code).toBe('rate_limited');
    const header = requestLimit(limited.response);
    expect(header).toMatchObject({ policy: 'default', remaining: 0, quota: 3, windowSeconds: 60 });
    expect(Number(limited.response.headers.get('retry-after'))).toBe(header.resetSeconds);
    // Another tenant is not limited, and sees its own budget.
    const other = (await limitsOf(t.globex)).byName.get('requests');
    expect(other).toMatchObject({ limit: 3, used: 1, remaining: 2 });
  });
});

describe('visible limits without a request limit', () => {
  const t = useTestApp({
    TEST_LABEL: 'limitsoff',
    RUN_WORKERS: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
  });

  it('sends no RateLimit headers and lists requests without a limit', async () => {
    const { byName, response } = await limitsOf(t.acme);
    expect(response.headers.get('ratelimit')).toBeNull();
    expect(response.headers.get('ratelimit-policy')).toBeNull();
    expect(byName.get('requests')).toEqual({
      name: 'requests',
      limit: null,
      used: 0,
      remaining: null,
      reset_at: null,
    });
    // The other quotas are as configured (defaults here; no daily item limit).
    expect(byName.get('active_jobs')).toMatchObject({ limit: 100, used: 0 });
    expect(byName.get('items_per_day')).toMatchObject({ limit: null, used: 0, remaining: null });
  });

  it('counts items per day without a daily limit too', async () => {
    await body(
      t.acme.POST('/bulk-jobs', {
        body: {
          operation: 'create_orders',
          items: [1, 2].map((n) => ({ customer_id: `off_${n}`, amount: n, currency: 'EUR' })),
        },
      }),
      202,
    );
    const { byName } = await limitsOf(t.acme);
    expect(byName.get('items_per_day')).toMatchObject({ limit: null, used: 2, remaining: null });
    expect(byName.get('active_jobs')).toMatchObject({ limit: 100, used: 1, remaining: 99 });
  });
});
