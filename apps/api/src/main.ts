import './instrument';
import 'reflect-metadata';
import { appConfig, validateEnv } from '@app/common';
import { useStructuredLogging } from '@app/ops';
import {
  configureHttpApp,
  exitOnStartupError,
  handleShutdownSignals,
  HttpDrain,
  logUnhandledRejections,
  prepareInfrastructure,
} from '@app/runtime';
import { tracingStatus } from '@app/telemetry';
import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { Logger as StructuredLogger } from 'nestjs-pino';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  useStructuredLogging('api');
  logUnhandledRejections();
  new Logger('Tracing').log(tracingStatus());
  const infra = await prepareInfrastructure();
  const { RUN_WORKERS } = validateEnv(process.env);
  const app = await NestFactory.create(AppModule.register({ runWorkers: RUN_WORKERS }), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(StructuredLogger));
  const drain = new HttpDrain();
  configureHttpApp(app, drain);
  handleShutdownSignals(app, infra, { drain, server: app.getHttpServer() as Server });
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  await app.listen(config.port);
  new Logger('Bootstrap').log(
    `API listening on http://localhost:${config.port} (docs: /docs, workers: ${config.runWorkers ? 'on' : 'off'})`,
  );
}

bootstrap().catch(exitOnStartupError);
