/** What replaces a secret in a log line. */
export const REDACTED = '[Redacted]';

/**
 * pino's `redact` paths, set on the request logger at debug: the credentials a line can carry
 * are those of a request's headers, which are serialized at debug only (the Idempotency-Key
 * stays: it is useful). Paths, not a scan of every key of every line: pino only looks where a
 * path points.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
];
