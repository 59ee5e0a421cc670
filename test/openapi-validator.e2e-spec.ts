import { describe, expect, it } from 'vitest';
import { checkResponse, type ResponseRecord } from './support/openapi-validator';

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
const json = (body: unknown, type = 'application/json') => ({
  headers: { 'content-type': `${type}; charset=utf-8` },
  body: Buffer.from(JSON.stringify(body)),
});
const res = (r: Partial<ResponseRecord>): ResponseRecord => ({
  method: 'GET',
  path: '/orders/ord_1',
  status: 200,
  headers: {},
  body: Buffer.alloc(0),
  ...r,
});

// The checker every e2e response goes through must itself refuse what the document does not allow.
describe('OpenAPI response checker', () => {
  it('accepts a documented response', () => {
    expect(checkResponse(res(json(order))).problems).toEqual([]);
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

  it('checks problem codes against the one enum, and nullable objects accept null', () => {
    const problem = { type: 't', title: 'Conflict', status: 409, detail: 'd', code: 'nope' };
    const delete409 = res({
      method: 'DELETE',
      path: '/bulk-jobs/job_1',
      status: 409,
      ...json(problem, 'application/problem+json'),
    });
    expect(checkResponse(delete409).problems.join()).toMatch(/code/);
    delete409.body = Buffer.from(JSON.stringify({ ...problem, code: 'job_not_deletable' }));
    expect(checkResponse(delete409).problems).toEqual([]);
    const item = { index: 0, id: 'ord_1', status: 'succeeded', error: null };
    const page = { data: [item], has_more: false, next_cursor: null };
    expect(checkResponse(res({ path: '/bulk-jobs/job_1/items', ...json(page) })).problems).toEqual(
      [],
    );
  });

  it('ignores what is no documented operation', () => {
    expect(checkResponse(res({ path: '/nowhere', status: 404 })).operation).toBeUndefined();
  });
});
