import { mapPage, type Page, type PageRequest } from '@app/pagination';
import { Injectable } from '@nestjs/common';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { BulkJob } from '../../domain/entities/bulk-job.entity';
import type { ItemStatus, JobStatus, EventType } from '../../domain/jobs.constants';
import { toItemDto, type BulkJobItemDto } from '../../items/dto/bulk-job-item.dto';
import { JobItemsService } from '../../items/job-items.service';
import { csvLine, CSV_COLUMNS, ndjsonLine } from '../../items/results-writer';
import { toBulkJobDto, type BulkJobDto } from '../../records/dto/bulk-job.dto';
import type { EventDto } from '../../records/dto/event.dto';
import { toEventDto } from '../../records/job-lifecycle.service';
import { JobRecords } from '../../records/job-records.service';

/** The read side of bulk jobs: one job, lists of jobs, items and events, the results download. */
@Injectable()
export class ReadJobs {
  constructor(
    private readonly records: JobRecords,
    private readonly items: JobItemsService,
  ) {}

  /** The tenant's job, or `not_found`. */
  find(tenantId: string, id: string): Promise<BulkJob> {
    return this.records.find(tenantId, id);
  }

  async get(tenantId: string, id: string): Promise<BulkJobDto> {
    return toBulkJobDto(await this.records.find(tenantId, id));
  }

  async list(
    tenantId: string,
    filters: { status?: JobStatus; operation?: string },
    page: PageRequest,
  ): Promise<Page<BulkJobDto>> {
    const result = await this.records.page(tenantId, filters, page);
    return mapPage(result, toBulkJobDto);
  }

  async listItems(
    tenantId: string,
    jobId: string,
    status: ItemStatus | undefined,
    page: PageRequest,
  ): Promise<Page<BulkJobItemDto>> {
    const job = await this.records.find(tenantId, jobId);
    const after = page.after ? Number(page.after[0]) : -1;
    const result = await this.items.page(job, status, after, page.limit);
    return mapPage(result, toItemDto);
  }

  async listEvents(
    tenantId: string,
    type: EventType | undefined,
    page: PageRequest,
  ): Promise<Page<EventDto>> {
    const result = await this.records.eventsPage(tenantId, type, page);
    return mapPage(result, toEventDto);
  }

  /** Streams every item's outcome straight from Postgres in chunk batches, honouring back-pressure. */
  async streamResults(
    tenantId: string,
    jobId: string,
    format: 'csv' | 'ndjson',
    out: Writable,
  ): Promise<void> {
    const job = await this.records.find(tenantId, jobId);
    if (format === 'csv') out.write(`${CSV_COLUMNS.join(',')}\r\n`);
    for await (const rows of this.items.all(job)) {
      const text = rows.map(format === 'csv' ? csvLine : ndjsonLine).join('');
      if (!out.write(text)) await once(out, 'drain');
    }
    out.end();
  }
}
