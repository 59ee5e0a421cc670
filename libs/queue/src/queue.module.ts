import { redisConfig } from '@app/common';
import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { DEFAULT_JOB_OPTIONS, MAINTENANCE_QUEUE } from './queue.constants';
import { QueueErrorsListener } from './queue-errors.listener';
import { redisOptionsFromUrl } from './redis-options';

/** Bull on Redis (transport only: Postgres stays the source of truth). */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [redisConfig.KEY],
      useFactory: (redis: ConfigType<typeof redisConfig>) => ({
        redis: redisOptionsFromUrl(redis.url),
        prefix: redis.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    BullModule.registerQueue({ name: MAINTENANCE_QUEUE }),
  ],
  providers: [QueueErrorsListener],
  exports: [BullModule],
})
export class QueueModule {}
