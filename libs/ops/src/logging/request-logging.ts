import { currentRequestId, loggableUrl, requestIdOf } from '@app/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Level, LevelWithSilent, Logger as Pino } from 'pino';
import { startTime, type Options } from 'pino-http';
import { REDACT_PATHS, REDACTED } from './redaction';

/** Probes and scrapes come every few seconds from machines: logged at debug only. */
const PROBE_PATH = /^\/(health\/[^?]*|metrics)(\?|$)/;

/** Express's request: `ip` is the client as TRUST_PROXY lets X-Forwarded-For name it. */
type Req = IncomingMessage & { originalUrl?: string; ip?: string };

const urlOf = (req: Req): string => req.originalUrl ?? req.url ?? '';
/** The path and the query's parameter names, never their values (`loggableUrl`). */
const loggedUrlOf = (req: Req): string => loggableUrl(urlOf(req));

/** The level of a request's completion line. */
export function requestLogLevel(req: Req, res: ServerResponse): Level {
  if (PROBE_PATH.test(urlOf(req))) return 'debug';
  // 503 is a dependency being down: expected while it lasts, and readiness reports it.
  if (res.statusCode === 503) return 'warn';
  if (res.statusCode >= 500) return 'error';
  return 'info';
}

interface SerializedRequest {
  method?: string;
  url: string;
  headers?: IncomingMessage['headers'];
  remoteAddress?: string;
}

/** Method, URL (query values replaced) and client: what the completion line carries at `info`. */
export function summarizeRequest(req: Req): SerializedRequest {
  return {
    method: req.method,
    url: loggedUrlOf(req),
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  };
}

/** …and at debug the headers too, whose credentials pino's `redact` replaces (`REDACT_PATHS`). */
export function serializeRequest(req: Req): SerializedRequest {
  return { ...summarizeRequest(req), headers: req.headers };
}

/** `GET /orders?limit=… 200 3ms`, `(aborted)` when the client left before the answer was sent. */
function completionMessage(req: Req, res: ServerResponse, ms: number): string {
  return `${req.method} ${loggedUrlOf(req)} ${res.statusCode} ${ms}ms${res.writableEnded ? '' : ' (aborted)'}`;
}

/**
 * pino-http's settings: one completion line per request (through a child of `logger`, so every
 * setting of the root logger applies), at `requestLogLevel`, with the id of the request context,
 * the request (`summarizeRequest`, headers at debug), the status and the time. The id on lines
 * logged while the request is handled comes from the root logger's mixin, which reads the same
 * request context.
 *
 * Kept lean for the request path (bench/requests): the serializers get the raw request and response
 * (`wrapSerializers: false`: pino's standard serializers copy every header first), the request is
 * serialized once (into the child logger pino-http makes per request, which writes the completion
 * line), and a completion whose level is off returns before building anything (`silent`).
 */
export function requestLoggingOptions(logger: Pino): Options<Req, ServerResponse> {
  const debug = logger.isLevelEnabled('debug');
  const completion = (req: Req, res: ServerResponse, val: object) => ({ reqId: req.id, ...val });
  return {
    logger,
    // The request context's middleware, mounted just before, chose the id (and echoed it).
    genReqId: (req) => currentRequestId() ?? requestIdOf(req),
    customLogLevel: (req, res): LevelWithSilent => {
      const level = requestLogLevel(req, res);
      return logger.isLevelEnabled(level) ? level : 'silent';
    },
    customSuccessMessage: completionMessage,
    // A 5xx is logged like any other answer (the problem filter logged the error itself, if any).
    customErrorMessage: (req, res) => completionMessage(req, res, Date.now() - res[startTime]),
    customSuccessObject: completion,
    customErrorObject: (req, res, _err, val: { res: unknown; responseTime: number }) =>
      completion(req, res, { res: val.res, responseTime: val.responseTime }),
    wrapSerializers: false,
    serializers: {
      req: debug ? serializeRequest : summarizeRequest,
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    // Only where headers are logged: pino runs a redaction on every `req` it writes, and at info
    // there is nothing in it to redact (measured: about 1.5 µs per request).
    ...(debug ? { redact: { paths: REDACT_PATHS, censor: REDACTED } } : {}),
  };
}
