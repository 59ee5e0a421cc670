import { ApiKeyStore, authenticate } from '@app/auth';
import {
  appConfig,
  bulkConfig,
  requestContextMiddleware,
  sendProblem,
  verifyJsonDepth,
} from '@app/common';
import { INestApplication, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import { httpMetricsMiddleware, MetricsService } from '@app/metrics';
import { QUEUE_BOARD_ROUTE, REQUEST_LOGGER } from '@app/ops';
import type { Server } from 'node:http';
import type { HttpDrain } from './http-drain';
import { setupOpenApi } from './openapi';

const logger = new Logger('Http');

/**
 * Body parsing, problem responses for parser errors, and OpenAPI. Shared by `main.ts`
 * and the e2e tests so that both run the same HTTP stack. Create the app with `bodyParser: false`.
 */
export function configureHttpApp(app: INestApplication, drain?: HttpDrain): void {
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  // Resources change under the client (jobs progress, orders move): no conditional GETs, so no
  // undocumented 304. Without an ETag Express still treats `If-None-Match: *` as fresh, so the
  // validators of a conditional request are dropped before anything answers.
  express.set('etag', false);
  app.use((req: Request, _res: Response, next: NextFunction) => {
    delete req.headers['if-none-match'];
    delete req.headers['if-modified-since'];
    next();
  });
  express.set('query parser', 'simple');
  // Only the named proxies' X-Forwarded-For counts: otherwise a header could pick someone else's
  // budget in the per-address limits on wrong keys.
  express.set('trust proxy', config.trustProxy);
  // First of all: every request, even one a later middleware answers (401, 413, a bad body, the
  // queue dashboard), gets its context (X-Request-Id, later the tenant) and one log line.
  app.use(requestContextMiddleware());
  app.use(app.get<RequestHandler>(REQUEST_LOGGER));
  if (drain) {
    drain.attach(app.getHttpServer() as Server);
    app.use(drain.middleware);
  }
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  // Security headers everywhere; the Swagger UI page needs its inline bootstrap, so no CSP there.
  // The queue dashboard loads its own scripts, also over plain HTTP on a private network.
  const secure = helmet();
  const docs = helmet({ contentSecurityPolicy: false });
  const board = helmet({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  const headersFor = (path: string) =>
    path.startsWith('/docs') ? docs : path.startsWith(QUEUE_BOARD_ROUTE) ? board : secure;
  app.use((req: Request, res: Response, next: NextFunction) =>
    headersFor(req.path)(req, res, next),
  );
  const bulk = app.get<ConfigType<typeof bulkConfig>>(bulkConfig.KEY);
  const jsonTypes = ['application/json', 'application/*+json'];
  // Bulk submissions may be large JSON; NDJSON/CSV uploads are streamed by the handler, not parsed here.
  // Only `POST /bulk-jobs` itself: cancel and retry take at most BODY_LIMIT_BYTES, like every other route.
  const bulkJson = json({
    limit: bulk.maxJsonBytes,
    type: jsonTypes,
    strict: false,
    verify: verifyJsonDepth,
  });
  app.use('/bulk-jobs', (req: Request, res: Response, next: NextFunction) =>
    req.path === '/' ? bulkJson(req, res, next) : next(),
  );
  app.use(
    json({ limit: config.bodyLimitBytes, type: jsonTypes, strict: false, verify: verifyJsonDepth }),
  );
  // Parser errors (bad JSON, too large) happen before Nest routes; answer them as problems too.
  // Authentication outranks the body: an anonymous caller gets 401, never a parse error about its body.
  const keys = app.get(ApiKeyStore);
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    try {
      authenticate(keys, req.headers.authorization);
    } catch (unauthorized) {
      sendProblem(unauthorized, req, res, logger);
      return;
    }
    sendProblem(err, req, res, logger);
  });
  setupOpenApi(app);
}
