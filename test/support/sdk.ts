import {
  createBulkRestClient,
  type BulkRestClient,
  type BulkRestClientOptions,
  type Problem,
} from '@app/sdk';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { TENANTS, type TenantName, type TestApp } from './test-app';

/** The loopback address of the app's HTTP server, listening on a free port from the first call on. */
export async function baseUrlOf(t: TestApp): Promise<string> {
  const server = t.app.getHttpServer() as Server;
  if (!server.listening) await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The typed client of @app/sdk on a test app, as `tenant` (`null`: no API key). Its requests reach the
 * app over loopback HTTP, so the app's OpenAPI response check (createTestApp) judges every answer.
 * The SDK's own retries, automatic Idempotency-Keys and rate-limit gate are off unless `options` turns them on: a
 * test sees each answer the server gave to exactly the request it wrote.
 */
export async function sdkClient(
  t: TestApp,
  tenant: TenantName | null = 'acme',
  options: BulkRestClientOptions = {},
): Promise<BulkRestClient> {
  return createBulkRestClient({
    baseUrl: await baseUrlOf(t),
    ...(tenant ? { apiKey: TENANTS[tenant] } : {}),
    retry: false,
    idempotencyKeys: false,
    respectRateLimit: false,
    ...options,
  });
}

/** What a call of the typed client resolves to. */
interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The answer, once its status is `status` (otherwise the test fails, showing the body). */
export async function answered<R extends Answer>(pending: R | Promise<R>, status: number) {
  const r = await pending;
  expect(r.response.status, JSON.stringify(r.error ?? r.data)).toBe(status);
  return r;
}

/** The body of a successful answer with `status`. */
export async function body<R extends Answer>(
  pending: R | Promise<R>,
  status: number,
): Promise<NonNullable<R['data']>> {
  const r = await answered(pending, status);
  expect(r.data).toBeDefined();
  return r.data as NonNullable<R['data']>;
}

/** The problem details (RFC 9457) of an error answer with `status`, served as problem+json. */
export async function problem(pending: Answer | Promise<Answer>, status: number): Promise<Problem> {
  const r = await answered(pending, status);
  expect(r.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return r.error as Problem;
}
