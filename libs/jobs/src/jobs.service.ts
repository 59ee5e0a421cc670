import { bulkConfig, InvalidInputError, newId } from '@app/common';
import { Database } from '@app/database';
import type { Page, PageRequest } from '@app/pagination';
import { currentTraceCarrier } from '@app/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { toBulkJobDto, type BulkJobDto } from './dto/bulk-job.dto';
import { toItemDto, type BulkJobItemDto } from './dto/bulk-job-item.dto';
import type { EventDto } from './dto/event.dto';
import type {
  ListBulkJobItemsQueryDto,
  ListBulkJobsQueryDto,
  ListEventsQueryDto,
} from './dto/list-queries.dto';
import type { BulkJob } from './entities/bulk-job.entity';
import { ChunkBuilder, type ItemSource } from './ingest/chunk-builder';
import { JobItemsService } from './items/job-items.service';
import { JobDispatcher } from './job-dispatcher.service';
import { JobLifecycleService, toEventDto } from './job-lifecycle.service';
import { isTerminal } from './job-status';
import { JobError } from './jobs.errors';
import type { JobPriority } from './jobs.constants';
import { OperationRegistry } from './operations/operation.registry';
import { TenantQuotas } from './scheduling/tenant-quotas.service';
import { BulkJobChunksRepository } from './repositories/bulk-job-chunks.repository';
import { BulkJobsRepository } from './repositories/bulk-jobs.repository';
import { JobEventsRepository } from './repositories/job-events.repository';
import { csvLine, CSV_COLUMNS, ndjsonLine } from './results-writer';
import { resolveWebhookTarget, UnsafeWebhookUrlError } from './webhooks/url-guard';

export type SourceFormat = 'json' | 'ndjson' | 'csv';

export interface AcceptInput {
  operation: string;
  webhookUrl?: string;
  atomic?: boolean;
  priority?: JobPriority;
  format: SourceFormat;
  items: ItemSource;
}

/** What a new job is made of: a fresh job row, then its items streamed into chunks. */
interface NewJobInput {
  tenantId: string;
  operation: string;
  atomic: boolean;
  priority: JobPriority;
  format: string;
  webhookUrl: string | null;
  retryOf: string | null;
  items: ItemSource;
}

/** The HTTP side of bulk jobs: accept, read, cancel, retry and delete. */
@Injectable()
export class JobsService {
  constructor(
    private readonly db: Database,
    private readonly registry: OperationRegistry,
    private readonly dispatcher: JobDispatcher,
    private readonly lifecycle: JobLifecycleService,
    private readonly jobs: BulkJobsRepository,
    private readonly chunks: BulkJobChunksRepository,
    private readonly events: JobEventsRepository,
    private readonly items: JobItemsService,
    private readonly quotas: TenantQuotas,
    @Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>,
  ) {}

  /** Checks only what the envelope can tell before reading items. */
  async checkEnvelope(
    operation: string | undefined,
    webhookUrl: string | undefined,
  ): Promise<void> {
    if (!operation) {
      throw new InvalidInputError([{ field: 'operation', message: 'operation is required' }]);
    }
    if (!this.registry.get(operation)) {
      throw new InvalidInputError([
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
          throw new InvalidInputError([{ field: 'webhook_url', message: e.message }]);
        }
        throw e;
      }
    }
  }

  /**
   * Stores the job and its items in one transaction (items stream into chunk rows, duplicates found
   * on the way), then enqueues after commit. A lost enqueue is repaired by the reconciler.
   */
  async accept(tenantId: string, input: AcceptInput): Promise<BulkJobDto> {
    await this.checkEnvelope(input.operation, input.webhookUrl);
    return this.db.transaction(
      async () =>
        toBulkJobDto(
          await this.create({
            tenantId,
            operation: input.operation,
            atomic: input.atomic ?? false,
            priority: input.priority ?? 'normal',
            format: input.format,
            webhookUrl: input.webhookUrl ?? null,
            retryOf: null,
            items: input.items,
          }),
        ),
      // The items stream in from the client: an upload may take longer than a request's limits.
      { budget: 'long' },
    );
  }

  /** Inserts the job and its chunks; must run inside a transaction. 0 items → 400. */
  private async create(input: NewJobInput): Promise<BulkJob> {
    const op = this.registry.get(input.operation)!;
    const id = newId('job');
    // A JSON array's size is known before anything is written: its row goes in with the total and
    // needs no second write.
    const known = Array.isArray(input.items) ? input.items.length : undefined;
    if (known !== undefined && known > this.config.maxItems) throw this.tooMany();
    await this.quotas.precheck(input.tenantId, known);
    // The submitting request's span: every chunk and webhook of the job becomes part of its trace.
    const trace = currentTraceCarrier();
    const inserted = await this.jobs.insert({
      id,
      tenantId: input.tenantId,
      operation: op.name,
      atomic: input.atomic,
      priority: input.priority,
      sourceFormat: input.format,
      chunkSize: this.config.chunkSize,
      webhookUrl: input.webhookUrl,
      retryOf: input.retryOf,
      totalItems: known,
      traceContext: trace,
    });
    const writer = this.chunks.writer(id);
    const builder = new ChunkBuilder(writer, this.config.chunkSize, op.dedupeField);
    try {
      await builder.addAll(input.items, this.config.maxItems, () => this.tooMany());
      await builder.close();
      await writer.close();
    } catch (e) {
      await writer.abort(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
    if (builder.count === 0) {
      throw new InvalidInputError([
        { field: 'items', message: 'items must contain at least 1 item' },
      ]);
    }
    await this.quotas.admit(input.tenantId, builder.count);
    const job = known === undefined ? await this.jobs.setTotal(id, builder.count) : inserted;
    const chunks = Array.from({ length: Math.ceil(builder.count / job.chunkSize) }, (_, i) => i);
    await this.db.afterCommit(() => this.dispatcher.enqueueJob(id, job.atomic, chunks, trace));
    return job;
  }

  tooMany(): InvalidInputError {
    return new InvalidInputError([
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
    const job = await this.jobs.findForTenant(tenantId, id);
    if (!job) throw JobError.notFound(id);
    return job;
  }

  async list(
    tenantId: string,
    query: ListBulkJobsQueryDto,
    page: PageRequest,
  ): Promise<Page<BulkJobDto>> {
    const result = await this.jobs.page(tenantId, query, page);
    return { ...result, items: result.items.map((j) => toBulkJobDto(j)) };
  }

  async listItems(
    tenantId: string,
    jobId: string,
    query: ListBulkJobItemsQueryDto,
    page: PageRequest,
  ): Promise<Page<BulkJobItemDto>> {
    const job = await this.find(tenantId, jobId);
    const after = page.after ? Number(page.after[0]) : -1;
    const result = await this.items.page(job, query.status, after, page.limit);
    return { ...result, items: result.items.map(toItemDto) };
  }

  async listEvents(
    tenantId: string,
    query: ListEventsQueryDto,
    page: PageRequest,
  ): Promise<Page<EventDto>> {
    const result = await this.events.page(tenantId, query.type, page);
    return { ...result, items: result.items.map((e) => toEventDto(e)) };
  }

  /** Streams every item's outcome straight from Postgres in chunk batches, honouring back-pressure. */
  async streamResults(
    tenantId: string,
    jobId: string,
    format: 'csv' | 'ndjson',
    out: Writable,
  ): Promise<void> {
    const job = await this.find(tenantId, jobId);
    if (format === 'csv') out.write(`${CSV_COLUMNS.join(',')}\r\n`);
    for await (const rows of this.items.all(job)) {
      const text = rows.map(format === 'csv' ? csvLine : ndjsonLine).join('');
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
  }

  /**
   * Stops the job at once: every chunk not yet started is cancelled in this request; only chunks
   * already being applied finish (waited for, so the answer and the event carry final counters).
   */
  async cancel(tenantId: string, id: string): Promise<BulkJobDto> {
    return this.db.transaction(async () => {
      const job = await this.find(tenantId, id);
      if (isTerminal(job.status)) throw this.notCancellable(job);
      await this.chunks.cancelIdle(id);
      await this.chunks.awaitRunning(id);
      const ended = await this.lifecycle.finish(id, 'cancelled');
      if (!ended) throw this.notCancellable(await this.find(tenantId, id));
      return toBulkJobDto(ended);
    });
  }

  /** A new job holding only the failed items of a finished one. */
  async retry(tenantId: string, id: string): Promise<BulkJobDto> {
    return this.db.transaction(
      async () => {
        const source = await this.find(tenantId, id);
        if (!isTerminal(source.status)) {
          throw new JobError(
            'job_not_finished',
            `Bulk job ${id} is ${source.status}; retry it once it has ended`,
          );
        }
        if (!source.failed) {
          throw new JobError('nothing_to_retry', `Bulk job ${id} has no failed items to retry`);
        }
        const job = await this.create({
          tenantId,
          operation: source.operation,
          atomic: source.atomic,
          priority: source.priority,
          format: source.sourceFormat,
          webhookUrl: source.webhookUrl,
          retryOf: id,
          items: this.items.failedItems(source),
        });
        return toBulkJobDto(job);
      },
      { budget: 'long' },
    );
  }

  async delete(tenantId: string, id: string): Promise<void> {
    const job = await this.find(tenantId, id);
    if (!isTerminal(job.status)) {
      throw new JobError(
        'job_not_deletable',
        `Bulk job ${id} is ${job.status}; cancel it or wait until it ends`,
      );
    }
    await this.jobs.delete(id, tenantId);
  }

  private notCancellable(job: BulkJob): JobError {
    return new JobError(
      'job_not_cancellable',
      `The job is already ${job.status} and cannot be cancelled`,
    );
  }
}
