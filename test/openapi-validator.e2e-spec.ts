import { describe, expect, it } from 'vitest';
import {
  allowUndocumented,
  checkResponse,
  recordAside,
  recordResponse,
  type ResponseRecord,
} from './support/openapi-validator';

const order = {
  id: 'ord_1',
  customer_id: 'cus_1',
  amount: 1999,
  currency: 'EUR',
  status: 'pending',
  version: 1,
  created_at: '2026-01-13T15:15:00.000Z',
  updated_at: '2026-01-13T15:15:00.000Z',
};
const job = {
  id: 'job_1',
  operation: 'update_orders_status',
  status: 'pending',
  priority: 'normal',
  queue_position: 1,
  total_items: 1,
  processed_items: 0,
  succeeded: 0,
  failed: 0,
  progress: 0,
  atomic: false,
  created_at: '2026-01-13T15:15:00.000Z',
  // Not started, no webhook, not a retry: every nullable field null.
  ...Object.fromEntries(
    [
      'started_at',
      'completed_at',
      'expires_at',
      'webhook_url',
      'result_url',
      'retry_of',
      'error',
    ].map((field) => [field, null]),
  ),
  links: {
    self: '/bulk-jobs/job_1',
    items: '/bulk-jobs/job_1/items',
    results: '/bulk-jobs/job_1/results',
    cancel: '/bulk-jobs/job_1/cancel',
  },
};
const problem = (status: number, code: string) => ({
  type: 'https://problems.bulk-rest.dev/x',
  title: 'T',
  status,
  detail: 'd',
  code,
});
const json = (body: unknown, type = 'application/json') => ({
  headers: { 'content-type': `${type}; charset=utf-8`, 'x-request-id': 'req-1' },
  body: Buffer.from(JSON.stringify(body)),
});
const res = (r: Partial<ResponseRecord>): ResponseRecord => ({
  method: 'GET',
  path: '/orders/ord_1',
  status: 200,
  headers: { 'x-request-id': 'req-1' },
  body: Buffer.alloc(0),
  ...r,
});
const problemRes = (status: number, code: string, r: Partial<ResponseRecord> = {}) => {
  const base = res({ status, ...json(problem(status, code), 'application/problem+json'), ...r });
  return { ...base, headers: { ...base.headers, ...r.headers } };
};
const accepted = (headers: Record<string, string>) =>
  res({
    method: 'POST',
    path: '/bulk-jobs',
    status: 202,
    ...json(job),
    headers: { ...json(job).headers, ...headers },
  });

// The checker every e2e response goes through must itself refuse what the document does not allow.
describe('OpenAPI response checker', () => {
  it('accepts a documented response', () => {
    expect(checkResponse(res(json(order))).problems).toEqual([]);
    const full = { location: '/bulk-jobs/job_1', 'retry-after': '2' };
    expect(checkResponse(accepted(full)).problems).toEqual([]);
  });

  it('refuses an undocumented status, media type, body or missing body', () => {
    expect(checkResponse(res({ ...json(order), status: 418 })).problems[0]).toMatch(
      /status 418 is not documented for GET \/orders\/\{id\}/,
    );
    expect(checkResponse(res(json(order, 'text/plain'))).problems[0]).toMatch(/media type/);
    expect(checkResponse(res(json({ ...order, amount: '1' }))).problems.join()).toMatch(/amount/);
    expect(checkResponse(res(json({ id: 'ord_1' }))).problems.join()).toMatch(/required/);
    expect(checkResponse(res({})).problems[0]).toMatch(/empty body/);
  });

  it('refuses an answer without a header the document marks required, or with a malformed one', () => {
    expect(checkResponse(accepted({ 'retry-after': '2' })).problems).toEqual([
      'required header Location missing',
    ]);
    expect(checkResponse(accepted({ location: '/bulk-jobs/job_1' })).problems).toEqual([
      'required header Retry-After missing',
    ]);
    const created = res({ method: 'POST', path: '/orders', status: 201, ...json(order) });
    expect(checkResponse(created).problems).toEqual(['required header Location missing']);
    const limited = problemRes(429, 'rate_limited', { path: '/orders' });
    expect(checkResponse(limited).problems).toEqual(['required header Retry-After missing']);
    limited.headers['retry-after'] = 'soon';
    expect(checkResponse(limited).problems).toEqual(['Retry-After: soon is no integer']);
    const down = problemRes(503, 'service_unavailable', { path: '/orders' });
    expect(checkResponse(down).problems).toEqual(['required header Retry-After missing']);
    const anonymous = problemRes(401, 'unauthorized', { path: '/orders' });
    expect(checkResponse(anonymous).problems).toEqual(['required header WWW-Authenticate missing']);
    const { 'x-request-id': _, ...withoutId } = json(order).headers;
    expect(checkResponse(res({ ...json(order), headers: withoutId })).problems).toEqual([
      'required header X-Request-Id missing',
    ]);
    const replayed = accepted({
      location: '/bulk-jobs/job_1',
      'retry-after': '2',
      'idempotent-replayed': 'yes',
    });
    expect(checkResponse(replayed).problems).toEqual(['Idempotent-Replayed: yes not in enum']);
  });

  it('checks problem codes against the one enum, and nullable objects accept null', () => {
    const delete409 = problemRes(409, 'nope', { method: 'DELETE', path: '/bulk-jobs/job_1' });
    expect(checkResponse(delete409).problems.join()).toMatch(/code/);
    delete409.body = Buffer.from(JSON.stringify(problem(409, 'job_not_deletable')));
    expect(checkResponse(delete409).problems).toEqual([]);
    const item = { index: 0, id: 'ord_1', status: 'succeeded', error: null };
    const page = { data: [item], has_more: false, next_cursor: null };
    expect(checkResponse(res({ path: '/bulk-jobs/job_1/items', ...json(page) })).problems).toEqual(
      [],
    );
  });

  it('routes like Express: case-insensitive, with an optional trailing slash', () => {
    expect(checkResponse(res({ path: '/Orders/ord_1/', ...json(order) })).operation).toBe(
      'GET /orders/{id}',
    );
  });

  it('refuses a request for no documented operation: an unknown path or an unlisted method', () => {
    const unknown = problemRes(404, 'not_found', { path: '/nowhere' });
    expect(checkResponse(unknown)).toEqual({
      problems: ['GET /nowhere is no documented operation'],
    });
    const put = problemRes(404, 'not_found', { method: 'PUT', path: '/orders/ord_1?x=1' });
    expect(checkResponse(put).problems).toEqual(['PUT /orders/ord_1 is no documented operation']);
    // Served outside the document on purpose, for the methods that route answers only.
    expect(checkResponse(res({ path: '/metrics' }))).toEqual({
      outside: 'the Prometheus scrape',
      problems: [],
    });
    expect(checkResponse(res({ method: 'POST', path: '/metrics' })).problems).toEqual([
      'POST /metrics is no documented operation',
    ]);
  });

  it('takes an undocumented request a test allowed, if its answer is the documented problem', async () => {
    const allow = (path: string, statuses = [404]) =>
      allowUndocumented({ name: 'probe', method: 'put', path, statuses });
    const found = await recordAside(() => {
      allow('/orders/ord_1');
      recordResponse(problemRes(404, 'not_found', { method: 'PUT', path: '/orders/ord_1' }));
      // Each allowance covers one answer: the same request again is a mismatch.
      recordResponse(problemRes(404, 'not_found', { method: 'PUT', path: '/orders/ord_1' }));
      allow('/a');
      recordResponse(problemRes(400, 'validation_failed', { method: 'PUT', path: '/a' }));
      allow('/b');
      recordResponse(problemRes(404, 'nope', { method: 'PUT', path: '/b' }));
      allow('/c', [401]);
      recordResponse(problemRes(401, 'unauthorized', { method: 'PUT', path: '/c' }));
      allow('/never');
    });
    expect(found.map((f) => f.split('\n')[0])).toEqual([
      'PUT /orders/ord_1 → 404: PUT /orders/ord_1 is no documented operation',
      'PUT /a → 400: allowed as "probe" with status 404, answered 400',
      expect.stringMatching(/^PUT \/b → 404: allowed as "probe": body\.code: /),
      'PUT /c → 401: allowed as "probe": required header WWW-Authenticate missing',
      'never used: PUT /never (probe)',
    ]);
  });
});
