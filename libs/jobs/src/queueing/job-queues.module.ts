import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { JobDispatcher } from './job-dispatcher.service';
import { BULK_QUEUE, jitteredBackoff, QUEUE_SETTINGS, WEBHOOK_QUEUE } from './job-queues';

const bulk = QUEUE_SETTINGS[BULK_QUEUE];
const webhooks = QUEUE_SETTINGS[WEBHOOK_QUEUE];

/** The bulk and webhook queues, and the one producer that puts work on them. */
@Module({
  imports: [
    BullModule.registerQueue(
      {
        name: BULK_QUEUE,
        settings: {
          lockDuration: bulk.lockDurationMs,
          stalledInterval: bulk.lockDurationMs / 2,
          maxStalledCount: 5,
        },
        ...(bulk.rateLimitPerSecond > 0
          ? { limiter: { max: bulk.rateLimitPerSecond, duration: 1000 } }
          : {}),
      },
      {
        name: WEBHOOK_QUEUE,
        settings: {
          lockDuration: webhooks.lockDurationMs,
          backoffStrategies: { jittered: (attempts: number) => jitteredBackoff(attempts) },
        },
      },
    ),
  ],
  providers: [JobDispatcher],
  exports: [JobDispatcher, BullModule],
})
export class JobQueuesModule {}
