import { stopTracing } from '@app/telemetry';
import { INestApplicationContext, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import type { HttpDrain } from './http-drain';
import type { Infrastructure } from './infrastructure';

/**
 * SIGTERM/SIGINT: drain HTTP (see HttpDrain), then Nest's shutdown sequence (finish the current
 * chunk, close Bull and the pool), then stop the embedded database, which must outlive the pool. Nest's
 * `enableShutdownHooks` re-raises the signal when done, which would kill the process before that.
 */
export function handleShutdownSignals(
  app: INestApplicationContext,
  infra: Infrastructure,
  http?: { drain: HttpDrain; server: Server },
): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: draining`);
    const forced = setTimeout(() => {
      logger.error('Shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000);
    forced.unref();
    (http ? http.drain.drain(http.server) : Promise.resolve())
      .then(() => app.close())
      .then(() => infra.release())
      // Last, so that spans of the drained requests and the final chunk are exported too.
      .then(() => stopTracing())
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        logger.error(`Shutdown failed: ${(e as Error)?.stack ?? String(e)}`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * A rejection nobody awaited (seen inside Bull when Redis drops mid-reconnect) must not kill a
 * server that is otherwise healthy: log it loudly instead.
 */
export function logUnhandledRejections(): void {
  const logger = new Logger('Process');
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error(`Unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`);
  });
}
