import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PaginationService } from '@app/pagination';
import { BulkJob } from './entities/bulk-job.entity';
import { BulkJobChunk } from './entities/bulk-job-chunk.entity';
import { BulkJobFailure } from './entities/bulk-job-failure.entity';
import { JobEvent } from './entities/event.entity';
import { TenantDailyItems } from './entities/tenant-daily-items.entity';
import { JobItemsService } from './items/job-items.service';
import { JobDispatcher } from './job-dispatcher.service';
import { JobLifecycleService } from './job-lifecycle.service';
import { BULK_QUEUE, jitteredBackoff, QUEUE_SETTINGS, WEBHOOK_QUEUE } from './jobs.constants';
import { ItemValidator } from './operations/item-validator';
import { OperationRegistry } from './operations/operation.registry';
import { BulkJobChunksRepository } from './repositories/bulk-job-chunks.repository';
import { BulkJobsRepository } from './repositories/bulk-jobs.repository';
import { JobEventsRepository } from './repositories/job-events.repository';
import { TenantQuotasRepository } from './repositories/tenant-quotas.repository';
import { TenantQuotas } from './scheduling/tenant-quotas.service';

const SHARED = [
  OperationRegistry,
  JobDispatcher,
  JobLifecycleService,
  JobItemsService,
  ItemValidator,
  BulkJobsRepository,
  BulkJobChunksRepository,
  JobEventsRepository,
  TenantQuotasRepository,
  TenantQuotas,
];

const bulk = QUEUE_SETTINGS[BULK_QUEUE];
const webhooks = QUEUE_SETTINGS[WEBHOOK_QUEUE];

/** What the API and the workers share: entities, repositories, queues, operations and the job lifecycle. */
@Module({
  imports: [
    DiscoveryModule,
    TypeOrmModule.forFeature([BulkJob, BulkJobChunk, BulkJobFailure, JobEvent, TenantDailyItems]),
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
  // The workers' process has no HTTP pagination module; the repositories' list methods need the service.
  providers: [...SHARED, PaginationService],
  exports: [...SHARED, TypeOrmModule, BullModule],
})
export class JobsCoreModule {}
