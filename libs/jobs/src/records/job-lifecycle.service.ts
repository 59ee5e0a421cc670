import { bulkConfig, newId } from '@app/common';
import { Database } from '@app/database';
import { currentTraceCarrier } from '@app/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { toBulkJobDto } from './dto/bulk-job.dto';
import type { EventDto } from './dto/event.dto';
import type { JobEvent } from '../domain/entities/event.entity';
import type { BulkJob } from '../domain/entities/bulk-job.entity';
import { JobDispatcher } from '../queueing/job-dispatcher.service';
import type { EventType, JobStatus } from '../domain/jobs.constants';
import { JobItemsService } from '../items/job-items.service';
import { BulkJobsRepository, type FinishOptions } from './bulk-jobs.repository';
import { JobEventsRepository } from './job-events.repository';

/**
 * Moves jobs through their lifecycle: the start, and the one way a job ends (status, frozen counters,
 * its event, the long-poll notification and, after commit, its webhook), whatever ends it.
 */
@Injectable()
export class JobLifecycleService {
  constructor(
    private readonly jobs: BulkJobsRepository,
    private readonly items: JobItemsService,
    private readonly events: JobEventsRepository,
    private readonly db: Database,
    private readonly dispatcher: JobDispatcher,
    @Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>,
  ) {}

  /** pending → processing, visible at once (its own statement), waking long-polls. */
  async start(jobId: string): Promise<void> {
    if (await this.jobs.markProcessing(jobId)) {
      await this.events.notifyJobChanged(jobId, 'processing');
    }
  }

  /** Ends the job if it can still move to `to`; null if another path ended it first. */
  finish(jobId: string, to: JobStatus, options: FinishOptions = {}): Promise<BulkJob | null> {
    return this.db.transaction(async () => {
      const job = await this.jobs.finish(jobId, to, this.config.jobTtlSeconds, options);
      if (!job) return null;
      await this.recordEnd(job);
      return job;
    });
  }

  /**
   * Completes the job once no chunk is pending: every chunk calls it after its own commit. A plain
   * read first spares the chunks that are not the last a transaction of their own.
   */
  async completeIfDone(jobId: string): Promise<BulkJob | null> {
    if (await this.items.anyPending(jobId)) return null;
    return this.finish(jobId, 'completed', { whenNoPendingChunks: true });
  }

  private async recordEnd(job: BulkJob): Promise<void> {
    const eventId = newId('evt');
    await this.events.insert({
      id: eventId,
      tenantId: job.tenantId,
      type: `bulk_job.${job.status}` as EventType,
      jobId: job.id,
      data: toBulkJobDto(job),
      webhookUrl: job.webhookUrl,
    });
    await this.events.notifyJobChanged(job.id, job.status);
    if (job.webhookUrl) {
      // Whatever ended the job (its last chunk, a cancel request) is the delivery's parent; the
      // reconciler has no span of its own, so the job's submitting request is then.
      const trace = currentTraceCarrier() ?? job.traceContext;
      await this.db.afterCommit(() => this.dispatcher.enqueueWebhook(eventId, trace));
    }
  }
}

export function toEventDto(event: JobEvent): EventDto {
  return {
    id: event.id,
    type: event.type as EventType,
    created_at: event.createdAt.toISOString(),
    data: event.data as EventDto['data'],
  };
}
