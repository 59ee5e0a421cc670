import { ProblemCode, type FieldError } from './problem.types';

/**
 * A broken business rule, thrown by services that know nothing of HTTP. Each feature lists its codes
 * and their statuses in one table; the problem filter renders any `DomainError` as problem details.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: ProblemCode;
  /** Sent as `Retry-After` (seconds) when waiting makes the request succeed (limits, quotas). */
  readonly retryAfterSeconds?: number;
  /** Which fields of the request broke the rule (rendered as `errors`). */
  readonly fieldErrors?: FieldError[];
}

/**
 * The error class of one feature, from its table of codes and the HTTP status of each: a thrown
 * error carries its code, and the status follows from the table.
 */
export function domainErrorClass<C extends ProblemCode>(statuses: Readonly<Record<C, number>>) {
  return class extends DomainError {
    readonly status: number;

    constructor(
      readonly code: C,
      message: string,
      readonly retryAfterSeconds?: number,
    ) {
      super(message);
      this.status = statuses[code];
    }
  };
}

/** Input a service found invalid once it looked closer than the DTO could (400 `validation_failed`). */
export class InvalidInputError extends DomainError {
  readonly status = 400;
  readonly code = ProblemCode.ValidationFailed;

  constructor(
    readonly fieldErrors: FieldError[],
    message = 'The request is invalid',
  ) {
    super(message);
  }
}
