import { SetMetadata } from '@nestjs/common';
import { IDEMPOTENCY_OPTIONS_KEY } from './idempotency.constants';

export interface IdempotencyOptions {
  /** false: the route ignores Idempotency-Key (e.g. it is naturally idempotent). */
  enabled: boolean;
  /** Reject requests without a key with 400 (for routes where a retry must never duplicate). */
  required?: boolean;
}

/** Tunes idempotency for a POST/PATCH route; every POST and PATCH is idempotent by default. */
export const Idempotent = (options: Omit<IdempotencyOptions, 'enabled'> = {}) =>
  SetMetadata(IDEMPOTENCY_OPTIONS_KEY, { enabled: true, ...options } satisfies IdempotencyOptions);

export const NotIdempotent = () =>
  SetMetadata(IDEMPOTENCY_OPTIONS_KEY, { enabled: false } satisfies IdempotencyOptions);
