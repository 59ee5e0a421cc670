import { inlineStatement, type Database } from '@app/database';
import type { QueryResult } from 'pg';
import { describe, expect, it } from 'vitest';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { IdempotencyService, type KeyedRequest } from './idempotency.service';

const service = new IdempotencyService(
  { ttlSeconds: 86_400, lockTimeoutSeconds: 60 },
  new IdempotencyKeysRepository({} as Database),
);
const req: KeyedRequest = {
  tenantId: 'acme',
  key: 'k',
  fingerprint: 'fp~abc',
  method: 'POST',
  path: '/orders',
};
const opened = (got: boolean, row?: Record<string, unknown>) =>
  [{ rows: [{ got }] }, { rows: row ? [row] : [] }] as unknown as QueryResult[];
const record = (over: Record<string, unknown> = {}) => ({
  fingerprint: 'fp~abc',
  method: 'POST',
  path: '/orders',
  state: 'completed',
  response_status: 201,
  response_headers: { location: '/orders/1' },
  response_body: '{"id":"1"}',
  expired: false,
  stale: false,
  ...over,
});

describe('IdempotencyService.decide', () => {
  it('claims an absent key whose lock it got, and answers in_use when another request holds it', () => {
    expect(service.decide(req, opened(true))).toEqual({ kind: 'claimed', replace: false });
    expect(service.decide(req, opened(false))).toEqual({ kind: 'in_use', retryAfterSeconds: 1 });
  });

  it('replays a completed record of the same request, lock or not', () => {
    for (const got of [true, false]) {
      expect(service.decide(req, opened(got, record()))).toEqual({
        kind: 'completed',
        response: { status: 201, headers: { location: '/orders/1' }, body: '{"id":"1"}' },
      });
    }
  });

  it('compares a streamed body by its digest: the same request part with other bytes is another request', () => {
    const streamed = { ...req, fingerprint: 'fp~digest-a' };
    const other = record({ fingerprint: 'fp~digest-b' });
    expect(service.decide(streamed, opened(true, other)).kind).toBe('mismatch');
    expect(
      service.decide(streamed, opened(true, record({ fingerprint: 'fp~digest-a' }))).kind,
    ).toBe('completed');
  });

  it('refuses another request under the key, unless the record expired', () => {
    const other = record({ fingerprint: 'fp2', method: 'PATCH', path: '/orders/1' });
    expect(service.decide(req, opened(true, other))).toEqual({
      kind: 'mismatch',
      method: 'PATCH',
      path: '/orders/1',
    });
    expect(service.decide(req, opened(true, { ...other, expired: true }))).toEqual({
      kind: 'claimed',
      replace: true,
    });
  });

  it('takes over a stale claim of a dead owner only with the lock; a live one is in use', () => {
    const claim = record({ state: 'processing', response_status: null });
    expect(service.decide(req, opened(true, claim)).kind).toBe('in_use');
    expect(service.decide(req, opened(true, { ...claim, stale: true }))).toEqual({
      kind: 'claimed',
      replace: true,
    });
    expect(service.decide(req, opened(false, { ...claim, stale: true })).kind).toBe('in_use');
  });
});

describe('IdempotencyService SQL', () => {
  it('names and types every statement sent with BEGIN and COMMIT, values written in safely', () => {
    const odd: KeyedRequest = { ...req, tenantId: "t'1", key: "k'\\x" };
    const [lock, read] = service.opening(odd);
    expect([lock.name, read.name]).toEqual(['idempotency_lock', 'idempotency_read']);
    expect(lock.types).toEqual(['text', 'text']);
    expect(inlineStatement(lock)).toContain(`('t''1'::text || chr(10) ||  E'k''\\\\x'::text`);
    const response = { status: 201, headers: { location: "/o/'1" }, body: `{"a":"it's"}` };
    const closing = service.closing(odd, { replace: false }, response);
    expect(closing.name).toBe('idempotency_record');
    expect(closing.types).toHaveLength(closing.values!.length);
    const sql = inlineStatement(closing);
    expect(sql).toContain(`'{"a":"it''s"}'::text`);
    expect(sql).toContain(`'{"location":"/o/''1"}'::jsonb`);
    expect(service.closing(odd, { replace: true }, response).name).toBe('idempotency_replace');
  });
});
