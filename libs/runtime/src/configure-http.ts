import { appConfig, requestContextMiddleware } from '@app/common';
import { INestApplication } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { httpMetricsMiddleware, MetricsService } from '@app/metrics';
import { QUEUE_BOARD_ROUTE, REQUEST_LOGGER } from '@app/ops';
import type { Server } from 'node:http';
import type { HttpDrain } from './http-drain';
import { setupOpenApi } from './openapi';

/**
 * The Express middleware every request passes (context, logging, drain, metrics, security headers),
 * and OpenAPI. Shared by `main.ts` and the e2e tests so that both run the same HTTP stack. Create
 * the app with `bodyParser: false`.
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
  // No body parser here: bodies are read by the last guard (RequestBodyGuard), once the caller is
  // authenticated and allowed, so that an anonymous or refused request costs no parsing.
  setupOpenApi(app);
}
