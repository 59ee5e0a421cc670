import type { ProblemCode } from './problem.types';

/**
 * A broken business rule, thrown by services that know nothing of HTTP. Each feature lists its codes
 * and their statuses in one table; the problem filter renders any `DomainError` as problem details.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: ProblemCode;
  /** Sent as `Retry-After` (seconds) when waiting makes the request succeed (limits, quotas). */
  readonly retryAfterSeconds?: number;
}
