import { queueConfig } from '@app/common';
import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JobDispatcher } from './job-dispatcher.service';
import {
  BULK_QUEUE,
  bulkJobOptions,
  jitteredBackoff,
  QUEUE_SETTINGS,
  WEBHOOK_QUEUE,
  webhookJobOptions,
} from './job-queues';

type Queues = ConfigType<typeof queueConfig>;

/** The bulk and webhook queues, and the one producer that puts work on them. */
@Module({
  imports: [
    BullModule.registerQueueAsync(
      {
        name: BULK_QUEUE,
        inject: [queueConfig.KEY],
        useFactory: ({ bulk }: Queues) => ({
          settings: {
            lockDuration: bulk.lockDurationMs,
            stalledInterval: bulk.lockDurationMs / 2,
            maxStalledCount: 5,
          },
          ...(bulk.rateLimitPerSecond > 0
            ? { limiter: { max: bulk.rateLimitPerSecond, duration: 1000 } }
            : {}),
          defaultJobOptions: bulkJobOptions(bulk.attempts),
        }),
      },
      {
        name: WEBHOOK_QUEUE,
        inject: [queueConfig.KEY],
        useFactory: ({ webhooks }: Queues) => ({
          settings: {
            lockDuration: QUEUE_SETTINGS[WEBHOOK_QUEUE].lockDurationMs,
            backoffStrategies: {
              jittered: (attempts: number) => jitteredBackoff(attempts, webhooks.backoffBaseMs),
            },
          },
          defaultJobOptions: webhookJobOptions(webhooks.attempts),
        }),
      },
    ),
  ],
  providers: [JobDispatcher],
  exports: [JobDispatcher, BullModule],
})
export class JobQueuesModule {}
