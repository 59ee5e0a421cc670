import { AdminAttemptsLimiter, type ApiKeyStore } from '@app/auth';
import { describe, expect, it } from 'vitest';
import { runMiddleware } from '../testing/fake-express';
import { ADMIN_CHALLENGES, adminOnly, presentedAdminKey } from './admin-auth.middleware';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('presentedAdminKey', () => {
  it('reads Bearer and the Basic password', () => {
    expect(presentedAdminKey('Bearer k-1')).toBe('k-1');
    expect(presentedAdminKey('bearer   k-1 ')).toBe('k-1');
    expect(presentedAdminKey(basic('admin', 'k:with:colons'))).toBe('k:with:colons');
    expect(presentedAdminKey(basic('', 'k-1'))).toBe('k-1');
  });

  it('finds nothing in other headers', () => {
    expect(presentedAdminKey(undefined)).toBeUndefined();
    expect(presentedAdminKey('')).toBeUndefined();
    expect(presentedAdminKey('Bearer')).toBeUndefined();
    expect(presentedAdminKey(basic('k-1', ''))).toBeUndefined();
    expect(presentedAdminKey('Basic !!!')).toBeUndefined();
    expect(presentedAdminKey('Token k-1')).toBeUndefined();
  });
});

describe('adminOnly', () => {
  const keys = { isAdmin: (k: string) => k === 'adm' } as unknown as ApiKeyStore;
  const call = (
    enabled: boolean,
    authorization?: string,
    attempts = new AdminAttemptsLimiter(),
    ip = '10.0.0.1',
  ) => {
    const r = runMiddleware(adminOnly(keys, enabled, attempts), {
      method: 'GET',
      originalUrl: '/admin/queues',
      url: '/admin/queues',
      path: '/admin/queues',
      ip,
      headers: authorization ? { authorization } : {},
    });
    return { ...r, body: r.body ? (JSON.parse(r.body) as { code: string }) : undefined };
  };

  it('answers 404 while ADMIN_API_KEY is not configured, whatever is sent', () => {
    const r = call(false, 'Bearer adm');
    expect(r.status).toBe(404);
    expect(r.body?.code).toBe('not_found');
    expect(r.nextCalls).toBe(0);
  });

  it('answers 401 with both challenges, one per WWW-Authenticate line, without the operator key', () => {
    for (const auth of [undefined, 'Bearer wrong', basic('admin', 'wrong'), 'Bearer ad']) {
      const r = call(true, auth);
      expect(r.status).toBe(401);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body?.code).toBe('unauthorized');
      expect(r.headers['www-authenticate']).toEqual([
        'Basic realm="operators", charset="UTF-8"',
        'Bearer realm="operators"',
      ]);
      expect(r.headers['www-authenticate']).toBe(ADMIN_CHALLENGES);
      expect(r.nextCalls).toBe(0);
    }
  });

  it('answers 429 with Retry-After after 10 wrong keys a minute from one address, even to the right key', () => {
    const attempts = new AdminAttemptsLimiter();
    for (let i = 0; i < 10; i++) expect(call(true, 'Bearer nope', attempts).status).toBe(401);
    for (const header of ['Bearer nope', 'Bearer adm', undefined]) {
      const r = call(true, header, attempts);
      expect(r.status).toBe(429);
      expect(r.body?.code).toBe('rate_limited');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(r.nextCalls).toBe(0);
    }
    // Another address has its own budget.
    expect(call(true, 'Bearer adm', attempts, '10.0.0.2').nextCalls).toBe(1);
  });

  it('does not count requests without credentials (a browser before its login dialog)', () => {
    const attempts = new AdminAttemptsLimiter();
    for (let i = 0; i < 15; i++) expect(call(true, undefined, attempts).status).toBe(401);
    expect(call(true, 'Bearer adm', attempts).nextCalls).toBe(1);
  });

  it('lets the operator key through, as Bearer or Basic password', () => {
    expect(call(true, 'Bearer adm').nextCalls).toBe(1);
    expect(call(true, basic('anyone', 'adm')).nextCalls).toBe(1);
  });
});
