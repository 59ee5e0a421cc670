import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  currentRequestId,
  requestContext,
  requestContextMiddleware,
  RequestContextModule,
  requestIdOf,
} from './request-context';
import { getTenantId, setTenantId } from './tenant-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const request = (headers: Record<string, string> = {}) =>
  ({ headers, url: '/orders' }) as unknown as IncomingMessage;

function response() {
  const headers: Record<string, string> = {};
  const res = Object.assign(new EventEmitter(), {
    headers,
    setHeader: (name: string, value: string) => void (headers[name] = value),
  });
  return res as unknown as ServerResponse & { headers: Record<string, string> };
}

/** Runs `fn` as the rest of the middleware chain of one request; resolves with what it returned. */
function handle<T>(req: IncomingMessage, res: ServerResponse, fn: () => T): Promise<Awaited<T>> {
  return new Promise((resolve, reject) => {
    void requestContextMiddleware()(req, res, (err?: Error) => {
      if (err) reject(err);
      else resolve(fn() as Awaited<T>);
    });
  });
}

describe('requestIdOf', () => {
  it('takes a safe X-Request-Id, up to 128 characters', () => {
    expect(requestIdOf(request({ 'x-request-id': 'lb-1234.abc_Z:9' }))).toBe('lb-1234.abc_Z:9');
    const long = 'a'.repeat(128);
    expect(requestIdOf(request({ 'x-request-id': long }))).toBe(long);
  });

  it.each([[''], ['has space'], ['x'.repeat(129)], ['quote"'], ['new\nline'], ['ünïcode']])(
    'replaces an unsafe X-Request-Id %j with a UUID',
    (given) => {
      expect(requestIdOf(request({ 'x-request-id': given }))).toMatch(UUID);
    },
  );

  it('generates a new UUID without the header', () => {
    const a = requestIdOf(request());
    expect(a).toMatch(UUID);
    expect(requestIdOf(request())).not.toBe(a);
  });
});

describe('request context middleware', () => {
  // The middleware needs nestjs-cls's module initialised, as in the application.
  let close: () => Promise<void>;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RequestContextModule] }).compile();
    await moduleRef.init();
    close = () => moduleRef.close();
  });
  afterAll(() => close());

  it('gives the request its id, echoes it, and only inside the request', async () => {
    const res = response();
    const seen = await handle(request({ 'x-request-id': 'r-1' }), res, () => currentRequestId());
    expect(seen).toBe('r-1');
    expect(res.headers['X-Request-Id']).toBe('r-1');
    expect(currentRequestId()).toBeUndefined();

    const other = response();
    const generated = await handle(request(), other, () => currentRequestId());
    expect(generated).toMatch(UUID);
    expect(other.headers['X-Request-Id']).toBe(generated);
  });

  it('carries the tenant of its own request only, also across awaits', async () => {
    const tenantAfterAwait = (tenant: string) => async () => {
      setTenantId(tenant);
      await new Promise((r) => setImmediate(r));
      return getTenantId();
    };
    const [a, b] = await Promise.all([
      handle(request(), response(), tenantAfterAwait('acme')),
      handle(request(), response(), tenantAfterAwait('globex')),
    ]);
    expect([a, b]).toEqual(['acme', 'globex']);
    expect(getTenantId()).toBeUndefined();
  });

  it('is what a nested context (a transaction in Database) inherits', async () => {
    const inner = await handle(request({ 'x-request-id': 'r-2' }), response(), () => {
      setTenantId('acme');
      return requestContext().run({ ifNested: 'inherit' }, () => ({
        id: currentRequestId(),
        tenant: getTenantId(),
      }));
    });
    expect(inner).toEqual({ id: 'r-2', tenant: 'acme' });
  });

  it('refuses to record a tenant outside a request', () => {
    expect(() => setTenantId('acme')).toThrow(/No CLS context/);
  });
});
