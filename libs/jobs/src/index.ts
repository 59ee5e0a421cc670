// What other libraries and the apps use of bulk jobs: the modules, the queue and job vocabulary, the
// bulk-operation contract, and the services the worker app and metrics call. Repositories stay inside.
export * from './jobs.module';
export * from './jobs-core.module';
export * from './jobs-worker.module';
export * from './domain/jobs.constants';
export * from './domain/job-status';
export * from './domain/jobs.errors';
export * from './domain/operations/bulk-operation';
export * from './domain/operations/operation.registry';
export { compileFastCheck } from './domain/operations/item-validator';
export * from './domain/entities/bulk-job.entity';
export * from './domain/entities/bulk-job-chunk.entity';
export * from './domain/entities/bulk-job-failure.entity';
export * from './domain/entities/event.entity';
export * from './domain/entities/tenant-daily-items.entity';
export { BULK_QUEUE, WEBHOOK_QUEUE, JobName } from './queueing/job-queues';
export type {
  JobPayloads,
  ChunkPayload,
  AtomicPayload,
  WebhookPayload,
} from './queueing/job-queues';
export { JobRecords } from './records/job-records.service';
export type { OperationStats, DurationStats } from './records/job-records.service';
export { FairScheduler, type TenantLoad } from './scheduling/fair-scheduler.service';
export { JobRunner, type TurnResult } from './runner/job-runner.service';
export { JobsMaintenanceService } from './maintenance/jobs-maintenance.service';
export * from './webhooks/signature';
