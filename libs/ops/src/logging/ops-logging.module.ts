import { Global, Logger as NestLogger, Module } from '@nestjs/common';
import { Logger, LoggerModule, PinoLogger, type Params } from 'nestjs-pino';
import { createRequestLogger } from './request-logging';
import { rootLogger } from './root-logger';

/** Injection token of the request logging middleware, mounted first of all by `configureHttpApp`. */
export const REQUEST_LOGGER = 'ops:request-logger';

/**
 * nestjs-pino over the process's root logger, as Nest's logger only: it mounts no middleware
 * (`forRoutes: []`). Request ids reach every line through the root logger's mixin, set by our own
 * request logging middleware, which `configureHttpApp` mounts before anything else.
 */
export const nestjsPinoParams = (): Params => ({
  pinoHttp: { logger: rootLogger() },
  useExisting: true,
  forRoutes: [],
});

/** Structured logging for an application or worker context (`app.useLogger(app.get(Logger))`). */
@Global()
@Module({
  imports: [LoggerModule.forRootAsync({ useFactory: nestjsPinoParams })],
  providers: [{ provide: REQUEST_LOGGER, useFactory: () => createRequestLogger(rootLogger()) }],
  exports: [REQUEST_LOGGER],
})
export class OpsLoggingModule {}

/**
 * Routes Nest's static logger to the root logger before Nest starts, so that start-up messages
 * (embedded database, Redis checks, "Invalid configuration") are structured like everything else.
 * Call first thing in `main`; `name` (`api`, `worker`) is added to every line.
 */
export function useStructuredLogging(name: string): void {
  rootLogger(name);
  const params = nestjsPinoParams();
  NestLogger.overrideLogger(new Logger(new PinoLogger(params), params));
}
