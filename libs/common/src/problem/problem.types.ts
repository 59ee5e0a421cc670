/**
 * Stable machine-readable error codes of the API contract: the one list every problem `code` comes from
 * (feature error tables use these values), and the `code` enum of the OpenAPI document.
 */
export const ProblemCode = {
  ValidationFailed: 'validation_failed',
  NotFound: 'not_found',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  IdempotencyKeyReused: 'idempotency_key_reused',
  IdempotencyKeyInUse: 'idempotency_key_in_use',
  InvalidCursor: 'invalid_cursor',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  NotAcceptable: 'not_acceptable',
  MethodNotAllowed: 'method_not_allowed',
  JobNotCancellable: 'job_not_cancellable',
  JobNotFinished: 'job_not_finished',
  JobNotDeletable: 'job_not_deletable',
  NothingToRetry: 'nothing_to_retry',
  InvalidTransition: 'invalid_transition',
  Conflict: 'conflict',
  ServiceUnavailable: 'service_unavailable',
  RateLimited: 'rate_limited',
  TooManyActiveJobs: 'too_many_active_jobs',
  DailyItemLimitReached: 'daily_item_limit_reached',
  TooManyUploads: 'too_many_uploads',
  RequestTimeout: 'request_timeout',
  InternalError: 'internal_error',
} as const;
export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode];

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details body. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://problems.bulk-rest.dev/';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function titleFor(status: number): string {
  return TITLES[status] ?? 'Error';
}

export function problemTypeUri(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code.replace(/_/g, '-')}`;
}
