import { bulkConfig, InvalidInputError, newId } from '@app/common';
import { Database } from '@app/database';
import { currentTraceCarrier } from '@app/telemetry';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { BulkJob } from '../../domain/entities/bulk-job.entity';
import type { JobPriority } from '../../domain/jobs.constants';
import { OperationRegistry } from '../../domain/operations/operation.registry';
import { chunkItems, type ChunkSink, type ItemSource } from '../../ingest/chunk-builder';
import { ChunkSpool } from '../../ingest/chunk-spool';
import { tooManyItems } from '../../ingest/upload-limits';
import { JobItemsService } from '../../items/job-items.service';
import { JobDispatcher } from '../../queueing/job-dispatcher.service';
import { JobRecords } from '../../records/job-records.service';
import { TenantQuotas } from '../../scheduling/tenant-quotas.service';

/** What a new job is made of: a fresh job row, then its items streamed into chunks. */
export interface NewJobInput {
  tenantId: string;
  operation: string;
  atomic: boolean;
  priority: JobPriority;
  format: string;
  webhookUrl: string | null;
  retryOf: string | null;
  /** Items to chunk here, or the chunks of an upload built while it arrived. */
  items: ItemSource | ChunkSpool;
}

/**
 * Stores a new job inside the caller's transaction, top to bottom: the quota precheck, the job row,
 * its items streamed into chunk rows, the admission (serialized per tenant), then the enqueue once
 * the transaction has committed. A lost enqueue is repaired by the reconciler. Accept and retry
 * both create jobs through here.
 */
@Injectable()
export class CreateJob {
  constructor(
    private readonly db: Database,
    private readonly registry: OperationRegistry,
    private readonly records: JobRecords,
    private readonly items: JobItemsService,
    private readonly quotas: TenantQuotas,
    private readonly dispatcher: JobDispatcher,
    @Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>,
  ) {}

  /** 0 items → 400; more than BULK_MAX_ITEMS → 400; a quota passed → 429. */
  async execute(input: NewJobInput): Promise<BulkJob> {
    this.db.requireTransaction('creating a job');
    const op = this.registry.get(input.operation)!;
    // A JSON array's size, or a staged upload's, is known before anything is written: its row goes
    // in with the total and needs no second write.
    const known =
      input.items instanceof ChunkSpool
        ? input.items.itemCount
        : Array.isArray(input.items)
          ? input.items.length
          : undefined;
    if (known !== undefined && known > this.config.maxItems)
      throw tooManyItems(this.config.maxItems);
    if (known === 0) throw noItems();
    await this.quotas.precheck(input.tenantId, known);
    // The submitting request's span: every chunk and webhook of the job becomes part of its trace.
    const trace = currentTraceCarrier();
    const id = newId('job');
    const inserted = await this.records.insert({
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
    const count = await this.storeItems(id, input.items, op.dedupeField);
    await this.quotas.admit(input.tenantId, count);
    const job = known === undefined ? await this.records.setTotal(id, count) : inserted;
    const chunks = Array.from({ length: Math.ceil(count / job.chunkSize) }, (_, i) => i);
    await this.db.afterCommit(() => this.dispatcher.enqueueJob(id, job.atomic, chunks, trace));
    return job;
  }

  /** Streams the items into chunk rows (duplicates found on the way); the count stored. */
  private async storeItems(
    jobId: string,
    items: ItemSource | ChunkSpool,
    dedupeField: string | undefined,
  ): Promise<number> {
    const writer = this.items.writer(jobId);
    try {
      const { chunkSize, maxItems } = this.config;
      const count =
        items instanceof ChunkSpool
          ? await copySpooled(items, writer)
          : await chunkItems(writer, items, { chunkSize, maxItems, dedupeField });
      await writer.close();
      if (count === 0) throw noItems();
      return count;
    } catch (e) {
      await writer.abort(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
  }
}

/** An upload's finished chunks, copied as they were built. */
async function copySpooled(spool: ChunkSpool, sink: ChunkSink): Promise<number> {
  for await (const chunk of spool.read()) await sink.write(chunk);
  return spool.itemCount;
}

const noItems = () =>
  new InvalidInputError([{ field: 'items', message: 'items must contain at least 1 item' }]);
