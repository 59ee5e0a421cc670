import { Database } from '@app/database';
import type { Page, PageRequest } from '@app/pagination';
import { Injectable } from '@nestjs/common';
import type { BulkJob } from '../domain/entities/bulk-job.entity';
import type { JobEvent } from '../domain/entities/event.entity';
import type { EventType, JobStatus } from '../domain/jobs.constants';
import { JobError } from '../domain/jobs.errors';
import {
  BulkJobsRepository,
  type DurationStats,
  type NewJob,
  type OperationStats,
  type StaleJob,
} from './bulk-jobs.repository';
import { JobEventsRepository, type DeliverableEvent } from './job-events.repository';

export { BULK_JOBS_PAGE_KEY } from './bulk-jobs.repository';
export type { DurationStats, NewJob, OperationStats, StaleJob } from './bulk-jobs.repository';
export { EVENTS_PAGE_KEY } from './job-events.repository';
export type { DeliverableEvent } from './job-events.repository';

/**
 * The job and event rows as the other rooms see them: reads by tenant (a job of another tenant does
 * not exist), the writes of a new job, deletion, and what maintenance and metrics ask of them. Moves
 * between statuses go through `JobLifecycleService` only.
 */
@Injectable()
export class JobRecords {
  constructor(
    private readonly db: Database,
    private readonly jobs: BulkJobsRepository,
    private readonly events: JobEventsRepository,
  ) {}

  insert(job: NewJob): Promise<BulkJob> {
    return this.jobs.insert(job);
  }

  /** The total of a job whose items were streamed (unknown until the last one was read). */
  setTotal(id: string, total: number): Promise<BulkJob> {
    return this.jobs.setTotal(id, total);
  }

  /** The tenant's job, or `not_found` (another tenant's job is not found either). */
  async find(tenantId: string, id: string): Promise<BulkJob> {
    const job = await this.jobs.findForTenant(tenantId, id);
    if (!job) throw JobError.notFound(id);
    return job;
  }

  page(
    tenantId: string,
    filters: { status?: JobStatus; operation?: string },
    page: PageRequest,
  ): Promise<Page<BulkJob>> {
    return this.jobs.page(tenantId, filters, page);
  }

  statuses(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    return this.jobs.statuses(ids);
  }

  /** Deletes one ended job of the tenant (its chunks and failures go with it, by cascade). */
  delete(tenantId: string, id: string): Promise<void> {
    return this.jobs.delete(id, tenantId);
  }

  /** Deletes a job and its events in one transaction (its chunks are deleted first, in batches). */
  deleteWithEvents(id: string): Promise<void> {
    return this.db.transaction(async () => {
      await this.events.deleteForJob(id);
      await this.jobs.delete(id);
    });
  }

  staleActive(staleSeconds: number, limit: number): Promise<StaleJob[]> {
    return this.jobs.staleActive(staleSeconds, limit);
  }

  expiredIds(limit: number): Promise<string[]> {
    return this.jobs.expiredIds(limit);
  }

  statsByOperation(): Promise<OperationStats[]> {
    return this.jobs.statsByOperation();
  }

  durationsLastHour(): Promise<DurationStats[]> {
    return this.jobs.durationsLastHour();
  }

  eventsPage(
    tenantId: string,
    type: EventType | undefined,
    page: PageRequest,
  ): Promise<Page<JobEvent>> {
    return this.events.page(tenantId, type, page);
  }

  deliverableEvent(id: string): Promise<DeliverableEvent | null> {
    return this.events.findDeliverable(id);
  }

  recordDelivery(id: string, status: string, attempts: number): Promise<void> {
    return this.events.recordDelivery(id, status, attempts);
  }
}
