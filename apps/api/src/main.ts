import 'reflect-metadata';
import { appConfig } from '@app/common';
import {
  configureHttpApp,
  exitOnStartupError,
  handleShutdownSignals,
  logLevels,
  logUnhandledRejections,
  prepareInfrastructure,
} from '@app/runtime';
import { Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  logUnhandledRejections();
  const infra = await prepareInfrastructure();
  const app = await NestFactory.create(AppModule, { bodyParser: false, logger: logLevels() });
  configureHttpApp(app);
  handleShutdownSignals(app, infra);
  const config = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  await app.listen(config.port);
  new Logger('Bootstrap').log(
    `API listening on http://localhost:${config.port} (docs: /docs, workers: ${config.runWorkers ? 'on' : 'off'})`,
  );
}

bootstrap().catch(exitOnStartupError);
