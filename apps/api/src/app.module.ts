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
import { Module } from '@nestjs/common';
import { ConditionalModule } from '@nestjs/config';

@Module({
  imports: [
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
    // Processors run in the API process too unless RUN_WORKERS=false.
    ConditionalModule.registerWhen(
      WorkersModule,
      (env) => !/^(false|0|no)$/i.test(env.RUN_WORKERS ?? ''),
    ),
  ],
})
export class AppModule {}
