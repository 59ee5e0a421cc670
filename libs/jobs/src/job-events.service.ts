import { bulkConfig, newId } from '@app/common';
import { TransactionRunner } from '@app/database';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { toBulkJobDto, type BulkJobDto } from './dto/bulk-job.dto';
import type { EventDto } from './dto/event.dto';
import { BulkJob } from './entities/bulk-job.entity';
import { JobEvent } from './entities/event.entity';
import { JobDispatcher } from './job-dispatcher.service';
import { PROGRESS_CHANNEL, type EventType, type JobStatus } from './jobs.constants';

/** Lifecycle events (rows + webhooks) and change notifications, written inside the caller's transaction. */
@Injectable()
export class JobEventsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly transactions: TransactionRunner,
    private readonly dispatcher: JobDispatcher,
    @Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>,
  ) {}

  get ttlSeconds(): number {
    return this.config.jobTtlSeconds;
  }

  /** Wakes long-polls once the transaction commits (NOTIFY is transactional). */
  async notifyChanged(jobId: string, status: JobStatus): Promise<void> {
    await this.txHost.tx.query('SELECT pg_notify($1, $2)', [
      PROGRESS_CHANNEL,
      `${jobId}:${status}`,
    ]);
  }

  /** Records the terminal event and schedules its webhook after commit. */
  async jobEnded(jobId: string): Promise<EventDto> {
    const job = await this.txHost.tx.getRepository(BulkJob).findOneByOrFail({ id: jobId });
    const data: BulkJobDto = toBulkJobDto(job);
    const type = `bulk_job.${job.status}` as EventType;
    const event = this.txHost.tx.getRepository(JobEvent).create({
      id: newId('evt'),
      tenantId: job.tenantId,
      type,
      jobId,
      data,
      webhookUrl: job.webhookUrl,
      deliveryStatus: job.webhookUrl ? 'pending' : null,
    });
    const [row] = (
      await this.txHost.tx
        .createQueryBuilder()
        .insert()
        .into(JobEvent)
        .values(event)
        .returning(['createdAt'])
        .execute()
    ).raw as { created_at: Date }[];
    await this.notifyChanged(jobId, job.status);
    if (job.webhookUrl)
      await this.transactions.afterCommit(() => this.dispatcher.enqueueWebhook(event.id));
    return { id: event.id, type, created_at: new Date(row.created_at).toISOString(), data };
  }
}

export function toEventDto(event: JobEvent): EventDto {
  return {
    id: event.id,
    type: event.type as EventType,
    created_at: event.createdAt.toISOString(),
    data: event.data as BulkJobDto,
  };
}
