import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Level, Logger as Pino } from 'pino';
import { runWithRequestId } from './request-context';
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
export function requestLogLevel(req: Req, res: ServerResponse): Level {
  if (PROBE_PATH.test(urlOf(req))) return 'debug';
  // 503 is a dependency being down: expected while it lasts, and readiness reports it.
  if (res.statusCode === 503) return 'warn';
  if (res.statusCode >= 500) return 'error';
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

type Res = ServerResponse;
type Middleware = (req: Req, res: Res, next: () => void) => void;

/** Where a request's id is kept once the first middleware has chosen it. */
const REQUEST_ID = Symbol('requestId');

/**
 * The request logging middleware, mounted first so that every request, even one a later
 * middleware answers, gets an id and one completion line. Lines logged while handling it carry
 * `reqId` through the root logger's mixin (see `bindRequestId`); the completion line adds the
 * method, URL, peer (and, at debug, the redacted headers), status and time. Leaner than pino-http,
 * which serialized every request twice and made a child logger per request (bench/requests).
 */
export function createRequestLogger(logger: Pino): Middleware {
  const serialize = logger.isLevelEnabled('debug') ? serializeRequest : summarizeRequest;
  return (req, res, next) => {
    const started = performance.now();
    const reqId = requestIdFor(req, res);
    (req as Req & { [REQUEST_ID]?: string })[REQUEST_ID] = reqId;
    const complete = () => {
      res.off('finish', complete);
      res.off('close', complete);
      const level = requestLogLevel(req, res);
      if (!logger.isLevelEnabled(level)) return;
      const ms = Math.round(performance.now() - started);
      logger[level](
        {
          reqId,
          req: serialize({
            method: req.method,
            url: urlOf(req),
            headers: req.headers,
            remoteAddress: req.socket?.remoteAddress,
          }),
          res: { statusCode: res.statusCode },
          responseTime: ms,
        },
        `${req.method} ${urlOf(req)} ${res.statusCode} ${ms}ms${res.writableEnded ? '' : ' (aborted)'}`,
      );
    };
    res.on('finish', complete);
    res.on('close', complete);
    runWithRequestId(reqId, next);
  };
}

/**
 * Enters the request's logging context again. Body parsers call `next` from the request stream's
 * events, outside the context the first middleware opened: mount this after them.
 */
export const bindRequestId: Middleware = (req, _res, next) => {
  const reqId = (req as Req & { [REQUEST_ID]?: string })[REQUEST_ID];
  if (reqId === undefined) next();
  else runWithRequestId(reqId, next);
};
