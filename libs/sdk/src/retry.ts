/** Retry policy of the client's own retries. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 5; 1 disables retries. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt, with jitter. Default 250 ms. */
  baseDelayMs?: number;
  /** Upper bound of any single wait, `Retry-After` included. Default 30 s. */
  maxDelayMs?: number;
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  reason: string;
  method: string;
  url: string;
}

export interface RetryContext extends Required<RetryOptions> {
  fetch: (request: Request) => Promise<Response>;
  /** Waits out a spent rate limit before sending (see `RateLimitGate`). */
  gate?: { observe(answer: Response): void; waitMs(): number };
  onRetry?: (info: RetryInfo) => void;
  /** Test seam. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
};

/** Methods that may be sent twice without an idempotency key. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Gateway/dependency failures: the request was not applied (responses ≥ 500 are never stored). */
const UNAVAILABLE = new Set([502, 503, 504]);

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^[A-Za-z]{3},? /.test(trimmed)) return undefined; // HTTP-date: "Tue, 13 Jan 2026 15:15:05 GMT"
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff with "equal jitter": half fixed, half random. */
export function backoffMs(
  attempt: number,
  ctx: Pick<RetryContext, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
) {
  const ceiling = Math.min(ctx.maxDelayMs, ctx.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ctx.random ?? Math.random)() * (ceiling / 2));
}

const isAbort = (e: unknown) =>
  e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError');

/**
 * Why and how long to wait before sending the same request again, or undefined to hand the
 * response to the caller. Only requests that are safe to repeat are retried on 5xx; 429 and
 * `idempotency_key_in_use` were not executed, so they are always safe to repeat.
 */
async function retryDelay(
  res: Response,
  replayable: boolean,
  attempt: number,
  ctx: RetryContext,
): Promise<{ delayMs: number; reason: string } | undefined> {
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  const wait = (reason: string) => ({
    delayMs: Math.min(ctx.maxDelayMs, retryAfter ?? backoffMs(attempt, ctx)),
    reason,
  });
  if (res.status === 429) return wait('429 rate limited');
  if (UNAVAILABLE.has(res.status) && replayable) return wait(`${res.status} unavailable`);
  if (res.status === 409) {
    const body = (await res
      .clone()
      .json()
      .catch(() => undefined)) as { code?: unknown } | undefined;
    if (body?.code === 'idempotency_key_in_use') return wait('409 idempotency_key_in_use');
  }
  return undefined;
}

/**
 * Sends `makeRequest()` until it gets an answer worth returning: network errors, 429, 502/503/504
 * and 409 `idempotency_key_in_use` are retried (honouring `Retry-After`, else with backoff), up to
 * `maxAttempts`. `makeRequest` is called once per attempt, so bodies can be re-created (streams).
 */
export async function sendWithRetry(
  makeRequest: () => Request,
  ctx: RetryContext,
): Promise<Response> {
  const pause = ctx.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    const request = makeRequest();
    const replayable =
      SAFE_METHODS.has(request.method.toUpperCase()) || request.headers.has('idempotency-key');
    const retry = async (delayMs: number, reason: string) => {
      ctx.onRetry?.({ attempt, delayMs, reason, method: request.method, url: request.url });
      await pause(delayMs, request.signal);
    };
    const hold = ctx.gate?.waitMs() ?? 0;
    if (hold > 0) await pause(Math.min(hold, ctx.maxDelayMs), request.signal);
    let response: Response;
    try {
      response = await ctx.fetch(request);
      ctx.gate?.observe(response);
    } catch (e) {
      if (isAbort(e) || !replayable || attempt >= ctx.maxAttempts) throw e;
      await retry(backoffMs(attempt, ctx), `network error: ${describeNetworkError(e)}`);
      continue;
    }
    const delay =
      attempt < ctx.maxAttempts ? await retryDelay(response, replayable, attempt, ctx) : undefined;
    if (!delay) return response;
    await response.body?.cancel().catch(() => undefined);
    await retry(delay.delayMs, delay.reason);
  }
}

/** `fetch failed` hides the reason in `cause` (ECONNREFUSED, ENOTFOUND, …). */
export function describeNetworkError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause as { code?: string; message?: string } | undefined;
  if (cause?.code) return `${e.message} (${cause.code})`;
  if (cause?.message) return `${e.message} (${cause.message})`;
  return e.message;
}
