import './instrument';
import 'reflect-metadata';
import { appConfig } from '@app/common';
import { startHeartbeat, useStructuredLogging } from '@app/ops';
import {
  exitOnStartupError,
  handleShutdownSignals,
  logUnhandledRejections,
  prepareInfrastructure,
} from '@app/runtime';
import { tracingStatus } from '@app/telemetry';
import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Logger as StructuredLogger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  useStructuredLogging('worker');
  logUnhandledRejections();
  new Logger('Tracing').log(tracingStatus());
  const infra = await prepareInfrastructure();
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(StructuredLogger));
  handleShutdownSignals(app, infra);
  const { workerHeartbeatFile } = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  if (workerHeartbeatFile) startHeartbeat(workerHeartbeatFile);
  new Logger('Bootstrap').log('Worker started (no HTTP server)');
}

bootstrap().catch(exitOnStartupError);
