import { redisConfig } from '@app/common';
import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { DEFAULT_JOB_OPTIONS, MAINTENANCE_QUEUE } from './queue.constants';
import { QueueErrorsListener } from './queue-errors.listener';
import { redisClientOptions } from './redis-options';
import { RedisPrimaryService } from './redis-primary.service';

/** Bull on Redis (transport only: Postgres stays the source of truth). */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [redisConfig.KEY],
      useFactory: (redis: ConfigType<typeof redisConfig>) => ({
        // Bull makes its three connections (client, subscriber, blocking) from these options and
        // itself turns off retries and the ready check for the latter two; it then also closes them.
        redis: redisClientOptions(redis.connection),
        prefix: redis.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    BullModule.registerQueue({ name: MAINTENANCE_QUEUE }),
  ],
  providers: [QueueErrorsListener, RedisPrimaryService],
  exports: [BullModule, RedisPrimaryService],
})
export class QueueModule {}
