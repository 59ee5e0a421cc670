export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
export const IDEMPOTENCY_OPTIONS_KEY = 'idempotency:options';

/** Printable ASCII, 1–255 characters (draft-ietf-httpapi-idempotency-key-header). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** Response headers worth replaying; everything else is recomputed per response. */
export const REPLAYED_HEADERS = [
  'location',
  'content-type',
  'retry-after',
  'link',
  'preference-applied',
];

export const SWEEP_IDEMPOTENCY_KEYS_JOB = 'sweep-idempotency-keys';
export const SWEEP_BATCH_SIZE = 5000;
