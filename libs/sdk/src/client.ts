import createClient, { type Client } from 'openapi-fetch';
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_RETRY,
  sendWithRetry,
  type RetryContext,
  type RetryInfo,
  type RetryOptions,
} from './retry';
import { RateLimitGate } from './rate-limit';
import type { paths } from './schema';
import { SDK_VERSION } from './types';

export const DEFAULT_BASE_URL = 'http://localhost:3000';

export interface BulkRestClientOptions {
  /** Default `http://localhost:3000`. */
  baseUrl?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** The client's own retries (network errors, 429, 502/503/504, 409 `idempotency_key_in_use`); `false` disables them. */
  retry?: RetryOptions | false;
  /** Give every POST/PATCH without an `Idempotency-Key` a fresh UUID (kept across retries). Default true. */
  idempotencyKeys?: boolean;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** The underlying fetch (default: the global one). */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Wait before a request while the last answer said the rate limit is spent (`RateLimit: …;r=0;t=N`),
   * rather than be answered 429. Default true.
   */
  respectRateLimit?: boolean;
  /** Called before each retry (e.g. to log it). */
  onRetry?: (info: RetryInfo) => void;
  /** Test seam: how the client waits between attempts. */
  sleep?: RetryContext['sleep'];
}

/** Options of `client.send`: a RequestInit whose body may be re-created per attempt. */
export interface SendInit extends Omit<RequestInit, 'body' | 'headers'> {
  headers?: Record<string, string>;
  /** A factory, so a streamed body can be produced again for a retry. */
  body?: () => RequestInit['body'];
}

/**
 * The typed openapi-fetch client (`client.GET('/orders', …)`, `client.POST('/bulk-jobs', …)`) plus
 * `send` for raw requests (streamed uploads) through the same authentication, idempotency-key and
 * retry pipeline.
 */
export type BulkRestClient = Client<paths> & {
  readonly baseUrl: string;
  send(path: string, init?: SendInit): Promise<Response>;
};

const NEEDS_KEY = new Set(['POST', 'PATCH']);

export function createBulkRestClient(options: BulkRestClientOptions = {}): BulkRestClient {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const autoKeys = options.idempotencyKeys ?? true;
  const baseFetch = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const ctx: RetryContext = {
    ...DEFAULT_RETRY,
    ...(options.retry === false ? { maxAttempts: 1 } : options.retry),
    fetch: baseFetch,
    onRetry: options.onRetry,
    sleep: options.sleep,
    gate: options.respectRateLimit === false ? undefined : new RateLimitGate(),
  };
  const defaultHeaders: Record<string, string> = {
    'User-Agent': `bulk-rest-sdk/${SDK_VERSION}`,
    ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}),
    ...options.headers,
  };
  const withKey = (method: string, headers: Headers) => {
    if (autoKeys && NEEDS_KEY.has(method.toUpperCase()) && !headers.has('idempotency-key')) {
      headers.set('Idempotency-Key', randomUUID());
    }
  };

  const client = createClient<paths>({
    baseUrl,
    headers: defaultHeaders,
    // One key per call, set before the first attempt: every retry of this call replays it.
    fetch: (request: Request) => {
      withKey(request.method, request.headers);
      return sendWithRetry(() => request.clone(), ctx);
    },
  });

  const send = (path: string, init: SendInit = {}): Promise<Response> => {
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers({ ...defaultHeaders, ...init.headers });
    withKey(method, headers);
    const url = /^https?:\/\//.test(path) ? path : `${baseUrl}${path}`;
    const { body, ...rest } = init;
    return sendWithRetry(() => {
      const payload = body?.();
      return new Request(url, {
        ...rest,
        method,
        headers,
        body: payload,
        ...(payload ? { duplex: 'half' as const } : {}),
      });
    }, ctx);
  };

  return Object.assign(client, { baseUrl, send });
}
