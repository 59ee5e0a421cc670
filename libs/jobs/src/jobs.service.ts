import { bulkConfig, newId, ProblemCode, ProblemException } from '@app/common';
import { TransactionRunner } from '@app/database';
import { PaginationService, type Page, type PageRequest } from '@app/pagination';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { toBulkJobDto, type BulkJobDto } from './dto/bulk-job.dto';
import { toItemDto, type BulkJobItemDto } from './dto/bulk-job-item.dto';
import type { EventDto } from './dto/event.dto';
import type {
  ListBulkJobItemsQueryDto,
  ListBulkJobsQueryDto,
  ListEventsQueryDto,
} from './dto/list-queries.dto';
import { BulkJob } from './entities/bulk-job.entity';
import { BulkJobItem } from './entities/bulk-job-item.entity';
import { JobEvent } from './entities/event.entity';
import { ItemWriter } from './ingest/item-writer';
import { JobDispatcher } from './job-dispatcher.service';
import { JobEventsService, toEventDto } from './job-events.service';
import { TERMINAL_STATUSES, type JobStatus } from './jobs.constants';
import { OperationRegistry } from './operations/operation.registry';
import { csvLine, CSV_COLUMNS, ndjsonLine, type ResultRow } from './results-writer';
import { resolveWebhookTarget, UnsafeWebhookUrlError } from './webhooks/url-guard';

export type SourceFormat = 'json' | 'ndjson' | 'csv';

export interface AcceptInput {
  operation: string;
  webhookUrl?: string;
  atomic?: boolean;
  format: SourceFormat;
  items: Iterable<unknown> | AsyncIterable<unknown>;
}

const NOT_EXPIRED = '(j.expires_at IS NULL OR j.expires_at > now())';

@Injectable()
export class JobsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly transactions: TransactionRunner,
    private readonly registry: OperationRegistry,
    private readonly dispatcher: JobDispatcher,
    private readonly events: JobEventsService,
    private readonly pagination: PaginationService,
    @Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>,
  ) {}

  /** Checks only what the envelope can tell before reading items. */
  async checkEnvelope(
    operation: string | undefined,
    webhookUrl: string | undefined,
  ): Promise<void> {
    if (!operation) {
      throw ProblemException.validation([{ field: 'operation', message: 'operation is required' }]);
    }
    if (!this.registry.get(operation)) {
      throw ProblemException.validation([
        {
          field: 'operation',
          message: `unknown operation ${operation}; known: ${this.registry.names().join(', ')}`,
        },
      ]);
    }
    if (webhookUrl) {
      try {
        await resolveWebhookTarget(webhookUrl, this.config.webhookAllowPrivateNetworks);
      } catch (e) {
        if (e instanceof UnsafeWebhookUrlError) {
          throw ProblemException.validation([{ field: 'webhook_url', message: e.message }]);
        }
        throw e;
      }
    }
  }

  /**
   * Stores the job and its items in one transaction (batched multi-row inserts, streaming input is
   * never held whole), then enqueues after commit. A lost enqueue is repaired by the reconciler.
   */
  async accept(tenantId: string, input: AcceptInput): Promise<BulkJobDto> {
    await this.checkEnvelope(input.operation, input.webhookUrl);
    const op = this.registry.get(input.operation)!;
    const id = newId('job');
    const atomic = input.atomic ?? false;
    return this.transactions.run(async () => {
      const m = this.txHost.tx;
      await m.query(
        `INSERT INTO bulk_jobs (id, tenant_id, operation, status, atomic, source_format, chunk_size, total_items, webhook_url)
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, 0, $7)`,
        [
          id,
          tenantId,
          op.name,
          atomic,
          input.format,
          this.config.chunkSize,
          input.webhookUrl ?? null,
        ],
      );
      const writer = new ItemWriter(m, id, op.dedupeField);
      try {
        for await (const item of input.items) {
          if (writer.count + 1 > this.config.maxItems) throw this.tooMany();
          await writer.add(item);
        }
        await writer.close();
      } catch (e) {
        await writer.abort(e instanceof Error ? e : new Error(String(e)));
        throw e;
      }
      if (writer.count === 0) {
        throw ProblemException.validation([
          { field: 'items', message: 'items must contain at least 1 item' },
        ]);
      }
      return this.seal(id, writer.count, atomic);
    });
  }

  /** Records the item count and, once the transaction commits, puts every chunk on the queue. */
  private async seal(id: string, count: number, atomic: boolean): Promise<BulkJobDto> {
    const m = this.txHost.tx;
    await m.query(`UPDATE bulk_jobs SET total_items = $2 WHERE id = $1`, [id, count]);
    const chunks = Array.from({ length: Math.ceil(count / this.config.chunkSize) }, (_, i) => i);
    await this.transactions.afterCommit(() => this.dispatcher.enqueueJob(id, atomic, chunks));
    return toBulkJobDto(await m.getRepository(BulkJob).findOneByOrFail({ id }));
  }

  tooMany(): ProblemException {
    return ProblemException.validation([
      {
        field: 'items',
        message: `items must contain at most ${this.config.maxItems} items (BULK_MAX_ITEMS)`,
      },
    ]);
  }

  async get(tenantId: string, id: string): Promise<BulkJobDto> {
    return toBulkJobDto(await this.find(tenantId, id));
  }

  async find(tenantId: string, id: string): Promise<BulkJob> {
    const job = await this.txHost.tx
      .getRepository(BulkJob)
      .createQueryBuilder('j')
      .where(`j.tenant_id = :tenantId AND j.id = :id AND ${NOT_EXPIRED}`, { tenantId, id })
      .getOne();
    if (!job) throw ProblemException.notFound('Bulk job', id);
    return job;
  }

  async list(
    tenantId: string,
    query: ListBulkJobsQueryDto,
    page: PageRequest,
  ): Promise<Page<BulkJobDto>> {
    const qb = this.txHost.tx
      .getRepository(BulkJob)
      .createQueryBuilder('j')
      .where(`j.tenant_id = :tenantId AND ${NOT_EXPIRED}`, { tenantId });
    if (query.status) qb.andWhere('j.status = :status', { status: query.status });
    if (query.operation) qb.andWhere('j.operation = :operation', { operation: query.operation });
    const result = await this.pagination.paginate(qb, page);
    return { ...result, items: result.items.map((j) => toBulkJobDto(j)) };
  }

  async listItems(
    tenantId: string,
    jobId: string,
    query: ListBulkJobItemsQueryDto,
    page: PageRequest,
  ): Promise<Page<BulkJobItemDto>> {
    await this.find(tenantId, jobId);
    const qb = this.txHost.tx
      .getRepository(BulkJobItem)
      .createQueryBuilder('i')
      .where('i.job_id = :jobId', { jobId });
    if (query.status) qb.andWhere('i.status = :status', { status: query.status });
    const result = await this.pagination.paginate(qb, page);
    return {
      ...result,
      items: result.items.map((i) =>
        toItemDto({
          idx: i.idx,
          id: i.resultId ?? i.dedupeKey,
          ref: i.ref,
          status: i.status,
          error_code: i.errorCode,
          error_message: i.errorMessage,
        }),
      ),
    };
  }

  async listEvents(
    tenantId: string,
    query: ListEventsQueryDto,
    page: PageRequest,
  ): Promise<Page<EventDto>> {
    const qb = this.txHost.tx
      .getRepository(JobEvent)
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId', { tenantId });
    if (query.type) qb.andWhere('e.type = :type', { type: query.type });
    const result = await this.pagination.paginate(qb, page);
    return { ...result, items: result.items.map((e) => toEventDto(e)) };
  }

  /** Streams every item's outcome straight from Postgres in keyset batches, honouring back-pressure. */
  async streamResults(
    tenantId: string,
    jobId: string,
    format: 'csv' | 'ndjson',
    out: Writable,
  ): Promise<void> {
    await this.find(tenantId, jobId);
    if (format === 'csv') out.write(`${CSV_COLUMNS.join(',')}\r\n`);
    let after = -1;
    for (;;) {
      const rows = await this.txHost.tx.query<ResultRow[]>(
        `SELECT idx, COALESCE(result_id, dedupe_key) AS id, ref, status, error_code, error_message
           FROM bulk_job_items WHERE job_id = $1 AND idx > $2 ORDER BY idx LIMIT 5000`,
        [jobId, after],
      );
      if (!rows.length) break;
      after = rows[rows.length - 1].idx;
      const text = rows.map(format === 'csv' ? csvLine : ndjsonLine).join('');
      if (!out.write(text)) await once(out, 'drain');
      if (rows.length < 5000) break;
    }
    out.end();
  }

  /** Stops the job: unprocessed items become `cancelled`; a chunk in flight finishes first (row locks). */
  async cancel(tenantId: string, id: string): Promise<BulkJobDto> {
    return this.transactions.run(async () => {
      const m = this.txHost.tx;
      const job = await this.find(tenantId, id);
      if (TERMINAL_STATUSES.includes(job.status)) throw this.notCancellable(job.status);
      // Items first: this waits for a chunk in flight, which then updates the job row freely.
      await m.query(
        `UPDATE bulk_job_items SET status = 'cancelled' WHERE job_id = $1 AND status = 'pending'`,
        [id],
      );
      const [rows] = await m.query<[unknown[], number]>(
        `UPDATE bulk_jobs SET status = 'cancelled', completed_at = now(),
                expires_at = now() + make_interval(secs => $2), updated_at = now()
          WHERE id = $1 AND status IN ('pending', 'processing') RETURNING id`,
        [id, this.config.jobTtlSeconds],
      );
      if (!rows.length) throw this.notCancellable((await this.find(tenantId, id)).status);
      await this.events.jobEnded(id);
      return toBulkJobDto(await this.find(tenantId, id));
    });
  }

  /** A new job holding only the failed items of a finished one. */
  async retry(tenantId: string, id: string): Promise<BulkJobDto> {
    return this.transactions.run(async () => {
      const m = this.txHost.tx;
      const source = await this.find(tenantId, id);
      if (!TERMINAL_STATUSES.includes(source.status)) {
        throw new ProblemException(
          409,
          'job_not_finished',
          `Bulk job ${id} is ${source.status}; retry it once it has ended`,
        );
      }
      const newJobId = newId('job');
      await m.query(
        `INSERT INTO bulk_jobs (id, tenant_id, operation, status, atomic, source_format, chunk_size, total_items, webhook_url, retry_of)
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, 0, $7, $8)`,
        [
          newJobId,
          tenantId,
          source.operation,
          source.atomic,
          source.sourceFormat,
          this.config.chunkSize,
          source.webhookUrl,
          id,
        ],
      );
      const [{ count }] = await m.query<{ count: number }[]>(
        `WITH copied AS (
           INSERT INTO bulk_job_items (job_id, idx, payload, ref, dedupe_key)
           SELECT $1, (row_number() OVER (ORDER BY idx) - 1)::int, payload, ref, dedupe_key
             FROM bulk_job_items WHERE job_id = $2 AND status = 'failed'
           RETURNING 1)
         SELECT count(*)::int AS count FROM copied`,
        [newJobId, id],
      );
      if (!count) {
        throw new ProblemException(
          409,
          'nothing_to_retry',
          `Bulk job ${id} has no failed items to retry`,
        );
      }
      return this.seal(newJobId, count, source.atomic);
    });
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const job = await this.find(tenantId, id);
    if (!TERMINAL_STATUSES.includes(job.status)) {
      throw new ProblemException(
        409,
        'job_not_deletable',
        `Bulk job ${id} is ${job.status}; cancel it or wait until it ends`,
      );
    }
    await this.txHost.tx.query(`DELETE FROM bulk_jobs WHERE id = $1 AND tenant_id = $2`, [
      id,
      tenantId,
    ]);
  }

  private notCancellable(status: JobStatus): ProblemException {
    return new ProblemException(
      409,
      ProblemCode.JobNotCancellable,
      `The job is already ${status} and cannot be cancelled`,
    );
  }
}
