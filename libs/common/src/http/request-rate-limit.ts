import { requestContext } from './request-context';

/** The tenant's request limit as the rate limiter counted the request being handled. */
export interface RequestRateLimit {
  /** The policy's name in the `RateLimit-Policy` and `RateLimit` headers. */
  policy: string;
  /** Requests per window (RATE_LIMIT_PER_MINUTE). */
  limit: number;
  windowSeconds: number;
  /** Requests counted in the current window, this one included. */
  used: number;
  remaining: number;
  /** Whole seconds until the window ends (at least 1), as the headers give it. */
  resetSeconds: number;
  /** When the window ends. */
  resetAt: Date;
}

const RATE_LIMIT = Symbol('rateLimit');

/** Records what the rate limiter counted for this request (its guard, once per request). */
export function setRequestRateLimit(state: RequestRateLimit): void {
  requestContext().set(RATE_LIMIT, state);
}

/** The request's rate-limit count; undefined when nothing counted it (no limit, no tenant). */
export function getRequestRateLimit(): RequestRateLimit | undefined {
  return requestContext().get<RequestRateLimit | undefined>(RATE_LIMIT);
}
