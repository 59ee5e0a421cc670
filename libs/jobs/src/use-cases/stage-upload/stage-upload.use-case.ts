import { bulkConfig, uploadConfig } from '@app/common';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Readable } from 'node:stream';
import { OperationRegistry } from '../../domain/operations/operation.registry';
import { chunkItems } from '../../ingest/chunk-builder';
import { ChunkSpool } from '../../ingest/chunk-spool';
import { csvItems } from '../../ingest/csv';
import { ndjsonItems } from '../../ingest/ndjson';

/**
 * An NDJSON/CSV upload parsed into chunks while it arrives, before any transaction: line and row
 * limits, BULK_MAX_ITEMS and the duplicate check apply on the way, and the chunks wait in a
 * `ChunkSpool` for the job's transaction to copy them. A refused upload stores nothing.
 */
@Injectable()
export class StageUpload {
  constructor(
    private readonly registry: OperationRegistry,
    @Inject(bulkConfig.KEY) private readonly bulk: ConfigType<typeof bulkConfig>,
    @Inject(uploadConfig.KEY) private readonly limits: ConfigType<typeof uploadConfig>,
  ) {}

  /** `operation` must be known (the envelope was checked). */
  async execute(body: Readable, format: 'ndjson' | 'csv', operation: string): Promise<ChunkSpool> {
    const { dedupeField } = this.registry.get(operation)!;
    const spool = await ChunkSpool.create();
    try {
      const items = format === 'csv' ? csvItems(body, this.limits) : ndjsonItems(body, this.limits);
      const { chunkSize, maxItems } = this.bulk;
      await chunkItems(spool, items, { chunkSize, maxItems, dedupeField });
      return spool;
    } catch (e) {
      body.destroy();
      await spool.close();
      throw e;
    }
  }
}
