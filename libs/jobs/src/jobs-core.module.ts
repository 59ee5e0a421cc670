import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BulkJob } from './entities/bulk-job.entity';
import { BulkJobItem } from './entities/bulk-job-item.entity';
import { JobEvent } from './entities/event.entity';
import { JobDispatcher } from './job-dispatcher.service';
import { JobEventsService } from './job-events.service';
import { BULK_QUEUE, jitteredBackoff, QUEUE_SETTINGS, WEBHOOK_QUEUE } from './jobs.constants';
import { OperationRegistry } from './operations/operation.registry';

const bulk = QUEUE_SETTINGS[BULK_QUEUE];
const webhooks = QUEUE_SETTINGS[WEBHOOK_QUEUE];

/** What the API and the workers share: entities, queues, the operation registry and event writing. */
@Module({
  imports: [
    DiscoveryModule,
    TypeOrmModule.forFeature([BulkJob, BulkJobItem, JobEvent]),
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
  providers: [OperationRegistry, JobDispatcher, JobEventsService],
  exports: [OperationRegistry, JobDispatcher, JobEventsService, TypeOrmModule, BullModule],
})
export class JobsCoreModule {}
