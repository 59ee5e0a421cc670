import { InvalidInputError } from '@app/common';
import { Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { JobPriority } from '../../domain/jobs.constants';
import { OperationRegistry } from '../../domain/operations/operation.registry';
import type { ItemSource } from '../../ingest/chunk-builder';
import type { ChunkSpool } from '../../ingest/chunk-spool';
import { toBulkJobDto, type BulkJobDto } from '../../records/dto/bulk-job.dto';
import { WebhookTargetCheck } from '../../webhooks/webhook-target-check';
import { CreateJob } from '../create-job/create-job.use-case';

export type SourceFormat = 'json' | 'ndjson' | 'csv';

export interface AcceptInput {
  operation: string;
  webhookUrl?: string;
  atomic?: boolean;
  priority?: JobPriority;
  format: SourceFormat;
  /** A JSON array, or the chunks of an upload built as it arrived (`StageUpload`). */
  items: ItemSource | ChunkSpool;
}

/**
 * `POST /bulk-jobs`: checks what the envelope alone can tell (the operation, the webhook target),
 * then stores the job and its items in one transaction; the workers check each item later.
 */
@Injectable()
export class AcceptJob {
  constructor(
    private readonly db: Database,
    private readonly registry: OperationRegistry,
    private readonly createJob: CreateJob,
    private readonly webhookTargets: WebhookTargetCheck,
  ) {}

  async execute(tenantId: string, input: AcceptInput): Promise<BulkJobDto> {
    await this.checkEnvelope(input.operation, input.webhookUrl);
    const job = await this.db.transaction(
      () =>
        this.createJob.execute({
          tenantId,
          operation: input.operation,
          atomic: input.atomic ?? false,
          priority: input.priority ?? 'normal',
          format: input.format,
          webhookUrl: input.webhookUrl ?? null,
          retryOf: null,
          items: input.items,
        }),
      // A large upload's one COPY may run longer than a request statement's limit allows.
      { budget: 'long' },
    );
    return toBulkJobDto(job);
  }

  /**
   * Checks only what the envelope can tell before reading items. Also called before any byte of an
   * upload is received (its envelope is in the query) and before a transaction opens (a DNS lookup
   * must not keep a pooled connection waiting); the check in `execute` then reuses the verdict.
   */
  async checkEnvelope(operation: string, webhookUrl: string | undefined): Promise<void> {
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
    await this.precheckWebhook(webhookUrl);
  }

  /** The webhook target alone (a JSON envelope, before its validation), as `checkEnvelope`. */
  precheckWebhook(webhookUrl: unknown): Promise<void> {
    return typeof webhookUrl === 'string' && webhookUrl
      ? this.webhookTargets.check(webhookUrl)
      : Promise.resolve();
  }
}
