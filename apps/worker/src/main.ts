import 'reflect-metadata';
import {
  exitOnStartupError,
  handleShutdownSignals,
  logLevels,
  logUnhandledRejections,
  prepareInfrastructure,
} from '@app/runtime';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  logUnhandledRejections();
  const infra = await prepareInfrastructure();
  const app = await NestFactory.createApplicationContext(WorkerModule, { logger: logLevels() });
  handleShutdownSignals(app, infra);
  new Logger('Bootstrap').log('Worker started (no HTTP server)');
}

bootstrap().catch(exitOnStartupError);
