import { AuthModule } from '@app/auth';
import { AppConfigModule } from '@app/common';
import { DatabaseModule } from '@app/database';
import { HealthModule } from '@app/health';
import { OrdersModule } from '@app/orders';
import { PaginationModule } from '@app/pagination';
import { QueueModule } from '@app/queue';
import { HttpCoreModule } from '@app/runtime';
import { Module } from '@nestjs/common';

@Module({
  imports: [
    AppConfigModule,
    DatabaseModule,
    QueueModule,
    HttpCoreModule,
    AuthModule,
    PaginationModule,
    HealthModule,
    OrdersModule,
  ],
})
export class AppModule {}
