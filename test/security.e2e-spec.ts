import { describe, expect, it } from 'vitest';
import { auth } from './support/test-app';
import { useTestApp } from './support/use-test-app';

describe('rate limiting and security headers', () => {
  const t = useTestApp({ TEST_LABEL: 'security', RATE_LIMIT_PER_MINUTE: '5' });

  it('limits each tenant with a 429 problem and Retry-After; other tenants and probes are unaffected', async () => {
    const statuses: number[] = [];
    let limited:
      | { status: number; headers: Record<string, string>; body: Record<string, unknown> }
      | undefined;
    for (let i = 0; i < 7; i++) {
      const res = await t.http.get('/orders').set(auth('acme'));
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(limited?.body).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(limited?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited?.headers['retry-after'])).toBeLessThanOrEqual(60);
    await t.http.get('/orders').set(auth('globex')).expect(200);
    for (let i = 0; i < 10; i++) await t.http.get('/health/live').expect(200);
    await t.http.get('/health/ready').expect(200);
  });

  it('sends security headers and no X-Powered-By', async () => {
    const res = await t.http.get('/health/live').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(res.headers['x-powered-by']).toBeUndefined();
    const docs = await t.http.get('/docs/').expect(200);
    expect(docs.headers['content-security-policy']).toBeUndefined();
    expect(docs.headers['x-content-type-options']).toBe('nosniff');
  });
});
