import { AuthModule } from '@app/auth';
import { AppConfigModule } from '@app/common';
import { DatabaseModule } from '@app/database';
import { HealthModule } from '@app/health';
import { JobsModule } from '@app/jobs';
import { MetricsModule } from '@app/metrics';
import { OrdersBulkModule, OrdersModule } from '@app/orders';
import { PaginationModule } from '@app/pagination';
import { QueueModule } from '@app/queue';
import { IdempotencyModule } from '@app/idempotency';
import { OpsModule } from '@app/ops';
import { HttpCoreModule, WorkersModule } from '@app/runtime';
import { Module, type DynamicModule } from '@nestjs/common';

const API = [
  AppConfigModule,
  DatabaseModule,
  QueueModule,
  HttpCoreModule,
  AuthModule,
  PaginationModule,
  IdempotencyModule,
  HealthModule,
  OrdersModule,
  OrdersBulkModule,
  JobsModule,
  MetricsModule,
  OpsModule,
];

@Module({})
export class AppModule {
  /**
   * The API, with the Bull processors in the same process unless `runWorkers` is false
   * (RUN_WORKERS). Decided when the application is created, from the configuration validated then,
   * not when this file is loaded.
   */
  static register({ runWorkers }: { runWorkers: boolean }): DynamicModule {
    return { module: AppModule, imports: runWorkers ? [...API, WorkersModule] : API };
  }
}
