import { Global, Logger as NestLogger, Module } from '@nestjs/common';
import { Logger, LoggerModule, PinoLogger, type Params } from 'nestjs-pino';
import { pinoHttp } from 'pino-http';
import { requestLoggingOptions } from './request-logging';
import { rootLogger } from './root-logger';

/** Injection token of the request logging middleware (pino-http), mounted by `configureHttpApp`. */
export const REQUEST_LOGGER = 'ops:request-logger';

/**
 * nestjs-pino: Nest's logger over the process's root logger, and the request logger's pino-http
 * settings. The module mounts no middleware of its own (`forRoutes: []`): Nest mounts a module's
 * middleware after every `app.use()` one, so requests answered by the body parsers or the queue
 * dashboard would go unlogged. `configureHttpApp` mounts pino-http with these settings first
 * instead (`REQUEST_LOGGER`), just after the request context that gives the id.
 */
export const nestjsPinoParams = (): Params => ({
  pinoHttp: requestLoggingOptions(rootLogger()),
  useExisting: true,
  forRoutes: [],
});

/** Structured logging for an application or worker context (`app.useLogger(app.get(Logger))`). */
@Global()
@Module({
  imports: [LoggerModule.forRootAsync({ useFactory: nestjsPinoParams })],
  providers: [
    { provide: REQUEST_LOGGER, useFactory: () => pinoHttp(requestLoggingOptions(rootLogger())) },
  ],
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
