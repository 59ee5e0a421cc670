import { HttpException } from '@nestjs/common';
import { DomainError } from './domain-error';
import { ProblemException } from './problem.exception';
import { ProblemCode } from './problem.types';

const PG_BAD_INPUT = new Set([
  '22P02',
  '22021',
  '22P05',
  '22003',
  '22001',
  '22007',
  '22008',
  '22023',
  '23502',
  '23514',
  '2201W',
  '2201X',
  '54000',
]);
const PG_TRANSIENT = new Set(['40001', '40P01', '55P03', '57014']);
const PG_UNAVAILABLE_PREFIXES = ['08', '53', '57P'];
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Connection is closed',
  'connect ECONNREFUSED',
  'Reached the max retries per request limit',
  "Stream isn't writeable",
  'Client has encountered a connection error',
  'the database system is',
];

const STATUS_CODES: Record<number, ProblemCode> = {
  400: ProblemCode.ValidationFailed,
  401: ProblemCode.Unauthorized,
  403: ProblemCode.Forbidden,
  404: ProblemCode.NotFound,
  405: ProblemCode.MethodNotAllowed,
  406: ProblemCode.NotAcceptable,
  409: ProblemCode.Conflict,
  413: ProblemCode.PayloadTooLarge,
  415: ProblemCode.UnsupportedMediaType,
  429: ProblemCode.RateLimited,
  503: ProblemCode.ServiceUnavailable,
};

interface ErrorLike {
  name?: string;
  code?: string;
  /** Set by Postgres on every error it reports (with a SQLSTATE in `code`). */
  severity?: string;
  type?: string;
  status?: number;
  statusCode?: number;
  message?: string;
  driverError?: ErrorLike;
  limit?: number;
}

function codeForStatus(status: number): ProblemCode {
  return (
    STATUS_CODES[status] ??
    (status >= 500 ? ProblemCode.InternalError : ProblemCode.ValidationFailed)
  );
}

/** Body-parser (express) errors carry a `type`; they are always the client's fault. */
function fromBodyParser(err: ErrorLike): ProblemException | undefined {
  switch (err.type) {
    case 'entity.too.large':
      return new ProblemException(
        413,
        ProblemCode.PayloadTooLarge,
        `The request body exceeds the limit of ${err.limit ?? 'the configured'} bytes`,
      );
    case 'entity.too.deep':
      return new ProblemException(
        400,
        ProblemCode.ValidationFailed,
        err.message ?? 'JSON nested too deeply',
        {
          errors: [{ field: 'body', message: err.message ?? 'JSON nested too deeply' }],
        },
      );
    case 'entity.parse.failed':
      return new ProblemException(
        400,
        ProblemCode.ValidationFailed,
        'The request body is not valid JSON',
        {
          errors: [{ field: 'body', message: err.message ?? 'malformed JSON' }],
        },
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ProblemException(
        415,
        ProblemCode.UnsupportedMediaType,
        err.message ?? 'Unsupported encoding',
      );
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new ProblemException(
        400,
        ProblemCode.ValidationFailed,
        err.message ?? 'The request body could not be read',
      );
    default:
      return undefined;
  }
}

function isUnavailable(err: ErrorLike): boolean {
  const code = err.code ?? '';
  if (NET_CODES.has(code)) return true;
  if (PG_UNAVAILABLE_PREFIXES.some((p) => code.startsWith(p))) return true;
  const msg = err.message ?? '';
  return (
    UNAVAILABLE_MESSAGES.some((m) => msg.includes(m)) || err.name === 'MaxRetriesPerRequestError'
  );
}

/** Maps any thrown value to a problem; `undefined` means an unexpected server error (a bug). */
export function toProblemException(error: unknown): ProblemException | undefined {
  if (error instanceof ProblemException) return error;
  if (error instanceof DomainError) {
    const retryAfter = error.retryAfterSeconds;
    return new ProblemException(error.status, error.code, error.message, {
      headers: retryAfter === undefined ? undefined : { 'Retry-After': String(retryAfter) },
      errors: error.fieldErrors,
    });
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const res = error.getResponse();
    const raw = typeof res === 'string' ? res : (res as { message?: unknown }).message;
    const message = Array.isArray(raw)
      ? raw.map(String).join('; ')
      : typeof raw === 'string'
        ? raw
        : error.message;
    return new ProblemException(status, codeForStatus(status), message);
  }
  if (typeof error !== 'object' || error === null) return undefined;
  const err = error as ErrorLike;
  const bodyParser = fromBodyParser(err);
  if (bodyParser) return bodyParser;
  if (err.name === 'EntityNotFoundError') {
    return new ProblemException(404, ProblemCode.NotFound, 'The resource was not found');
  }
  const db = err.driverError ?? err;
  if (db.code && PG_BAD_INPUT.has(db.code)) {
    return new ProblemException(
      400,
      ProblemCode.ValidationFailed,
      'The request contains a value that cannot be stored (wrong format, out of range or too long)',
    );
  }
  if (db.code === '23505' || db.code === '23503' || db.code === '23P01') {
    return new ProblemException(
      409,
      ProblemCode.Conflict,
      'The resource conflicts with an existing one',
    );
  }
  if (db.code && PG_TRANSIENT.has(db.code)) {
    return ProblemException.unavailable('The database is busy; retry shortly', 1);
  }
  if (isUnavailable(db) || isUnavailable(err)) {
    return ProblemException.unavailable(
      'A dependency (database or Redis) is unavailable; retry shortly',
    );
  }
  // Any other refusal by Postgres (a read-only standby after a failover, a revoked privilege, a
  // missing table while migrations run): the request was fine, the database is not. Never a 500.
  if (typeof db.severity === 'string' && /^[0-9A-Z]{5}$/.test(db.code ?? '')) {
    return ProblemException.unavailable('The database refused the request; retry shortly');
  }
  const status = err.status ?? err.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ProblemException(status, codeForStatus(status), err.message ?? 'Bad request');
  }
  return undefined;
}
