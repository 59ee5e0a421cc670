import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger as Pino, LevelWithSilent } from 'pino';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import { redactSecrets } from './redaction';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** 1–128 characters that are safe to echo in a header and to log as is. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._~:@+=/-]{1,128}$/;

/** Probes and scrapes come every few seconds from machines: logged at debug only. */
const PROBE_PATH = /^\/(health\/[^?]*|metrics)(\?|$)/;

type Req = IncomingMessage & { originalUrl?: string };

/**
 * The request's id: the caller's `X-Request-Id` when it is 1–128 safe characters (so a load balancer
 * or client can correlate), else a new UUID. Echoed in the response's `X-Request-Id`.
 */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

const urlOf = (req: Req): string => req.originalUrl ?? req.url ?? '';

/** The level of a request's completion line. */
export function requestLogLevel(req: Req, res: ServerResponse, err?: Error): LevelWithSilent {
  if (PROBE_PATH.test(urlOf(req))) return 'debug';
  // 503 is a dependency being down: expected while it lasts, and readiness reports it.
  if (res.statusCode === 503) return 'warn';
  if (err || res.statusCode >= 500) return 'error';
  return 'info';
}

interface SerializedRequest {
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
}

/** Method, URL, headers without credentials (Authorization, Cookie, *secret*…) and peer address. */
export function serializeRequest(req: SerializedRequest): SerializedRequest {
  return {
    method: req.method,
    url: req.url,
    headers: redactSecrets(req.headers),
    remoteAddress: req.remoteAddress,
  };
}

/**
 * Method, URL and peer address only: what the completion line carries at `info`. Copying and
 * redacting every header of every request was a measurable share of a request's CPU
 * (bench/requests); the headers are logged at `debug`.
 */
export function summarizeRequest(req: SerializedRequest): SerializedRequest {
  return { method: req.method, url: req.url, remoteAddress: req.remoteAddress };
}

/** pino-http options: request id, levels, messages and serializers; logs through `logger`. */
export function requestLoggerOptions(logger: Pino): Options<Req, ServerResponse> {
  return {
    logger,
    genReqId: requestIdFor,
    // Every line logged while handling a request carries `reqId`; the completion line adds req/res.
    quietReqLogger: true,
    customLogLevel: requestLogLevel,
    customSuccessMessage: (req, res, ms) =>
      `${req.method} ${urlOf(req)} ${res.statusCode} ${ms}ms${res.writableEnded ? '' : ' (aborted)'}`,
    customErrorMessage: (req, res, err) =>
      `${req.method} ${urlOf(req)} ${res.statusCode} failed: ${err.message}`,
    serializers: {
      req: logger.isLevelEnabled('debug') ? serializeRequest : summarizeRequest,
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

/** The request logging middleware (pino-http): mounted first, so every request gets an id. */
export function createRequestLogger(logger: Pino): HttpLogger<Req, ServerResponse> {
  return pinoHttp(requestLoggerOptions(logger));
}
