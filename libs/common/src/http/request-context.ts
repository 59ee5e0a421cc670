import { Module } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClsMiddleware, ClsModule, ClsServiceManager, type ClsMiddlewareOptions } from 'nestjs-cls';

/*
 * The one request context: nestjs-cls's store, opened for each request by
 * `requestContextMiddleware` and for each transaction by `Database`. It carries the request id
 * (`CLS_ID`), the tenant (`tenant-context.ts`) and the transaction (libs/database), each under a
 * symbol of its own.
 */

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** 1–128 characters that are safe to echo in a header and to log as is. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._~:@+=/-]{1,128}$/;

/**
 * The request's id: the caller's `X-Request-Id` when it is 1–128 safe characters (so a load
 * balancer or client can correlate), else a new UUID.
 */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * The request context's middleware settings: the id from `requestIdOf`, echoed in the response.
 * Nothing registers proxy providers or plugins, so the middleware skips resolving them (each is an
 * `await` on every request).
 */
export const REQUEST_CONTEXT_MIDDLEWARE: ClsMiddlewareOptions = {
  generateId: true,
  idGenerator: requestIdOf,
  setup: (cls, _req, res: ServerResponse) => {
    res.setHeader(REQUEST_ID_HEADER, cls.getId());
  },
  saveReq: false,
  resolveProxyProviders: false,
  initializePlugins: false,
};

/**
 * nestjs-cls for the whole process (global `ClsService`). Its middleware is not mounted by the
 * module, whose middleware would run after every `app.use()` one (body parsers, the problem answers
 * of parser errors, the queue dashboard): `configureHttpApp` mounts `requestContextMiddleware()`
 * first of all instead. Workers have no request context; `Database` opens one per transaction.
 */
@Module({
  imports: [ClsModule.forRoot({ global: true, middleware: { mount: false } })],
})
export class RequestContextModule {}

/** nestjs-cls's middleware with `REQUEST_CONTEXT_MIDDLEWARE`, for `app.use()`. */
export function requestContextMiddleware(): ClsMiddleware['use'] {
  return new ClsMiddleware(REQUEST_CONTEXT_MIDDLEWARE).use;
}

/** The current request context (nestjs-cls's store), for code outside Nest's injection. */
export const requestContext = () => ClsServiceManager.getClsService();

/** The id of the request being handled; undefined outside a request (start-up, workers). */
export function currentRequestId(): string | undefined {
  return requestContext().getId();
}
