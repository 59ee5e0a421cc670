import {
  AcceptsContentTypes,
  ApiProblems,
  ApiStandardProblems,
  createValidationPipe,
  mediaTypeOf,
  TenantId,
} from '@app/common';
import { ApiPageResponse, PageArgs, Paginated, type Page, type PageRequest } from '@app/pagination';
import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BulkJobDto } from '../records/dto/bulk-job.dto';
import { BulkJobItemDto } from '../items/dto/bulk-job-item.dto';
import { CreateBulkJobDto, CreateBulkJobQueryDto } from './dto/create-bulk-job.dto';
import { ListBulkJobItemsQueryDto, ListBulkJobsQueryDto } from './dto/list-queries.dto';
import { JobProgressListener } from './job-progress.listener';
import { isTerminal } from '../domain/job-status';
import { BULK_JOBS_PAGE_KEY } from '../records/job-records.service';
import { AcceptJob } from '../use-cases/accept-job/accept-job.use-case';
import { CancelJob } from '../use-cases/cancel-job/cancel-job.use-case';
import { DeleteJob } from '../use-cases/delete-job/delete-job.use-case';
import { ReadJobs } from '../use-cases/read-jobs/read-jobs.service';
import { RetryJob } from '../use-cases/retry-job/retry-job.use-case';
import { preferWaitSeconds } from './prefer';
import { BulkUpload, stagedUpload } from './bulk-upload.guard';

const POLL_SECONDS = '2';
const LOCATION = {
  Location: { description: 'URL of the job resource', schema: { type: 'string' } },
};
const RETRY_AFTER = {
  'Retry-After': {
    description: 'Suggested polling interval in seconds while the job runs',
    schema: { type: 'integer' },
  },
};
const bodyValidation = createValidationPipe();

@ApiTags('bulk-jobs')
@ApiStandardProblems()
@Controller('bulk-jobs')
export class JobsController {
  constructor(
    private readonly acceptJob: AcceptJob,
    private readonly cancelJob: CancelJob,
    private readonly retryJob: RetryJob,
    private readonly deleteJob: DeleteJob,
    private readonly jobs: ReadJobs,
    private readonly progress: JobProgressListener,
  ) {}

  @Post()
  @HttpCode(202)
  @BulkUpload()
  @AcceptsContentTypes('application/json', 'application/x-ndjson', 'text/csv')
  @ApiOperation({
    operationId: 'createBulkJob',
    summary: 'Submit a bulk job',
    description:
      'Validates the envelope only, stores the job and its items, and answers 202 with `Location`. Each item is ' +
      'checked by the worker and may fail on its own (`validation_failed`, `not_found`, `invalid_transition`, ' +
      '`duplicate_item`). Large jobs: send `application/x-ndjson` (one item per line) or `text/csv` (header row) ' +
      'with `?operation=…`; the body is received whole, then stored in one transaction.',
  })
  @ApiConsumes('application/json', 'application/x-ndjson', 'text/csv')
  @ApiBody({
    type: CreateBulkJobDto,
    examples: {
      update: {
        summary: 'Update order statuses',
        value: {
          operation: 'update_orders_status',
          items: [
            { id: 'ord_123', status: 'cancelled' },
            { id: 'ord_124', status: 'shipped' },
          ],
        },
      },
      create: {
        summary: 'Create orders',
        value: {
          operation: 'create_orders',
          items: [{ customer_id: 'cus_1', amount: 1999, currency: 'EUR', ref: 'row-1' }],
        },
      },
    },
  })
  @ApiAcceptedResponse({ type: BulkJobDto, headers: { ...LOCATION, ...RETRY_AFTER } })
  @ApiProblems(
    [408, 'The body stalled for UPLOAD_IDLE_TIMEOUT_MS (`request_timeout`); nothing was stored.'],
    [
      413,
      'The body passed BULK_MAX_JSON_BYTES or BULK_MAX_BODY_BYTES, a line BULK_MAX_LINE_BYTES, or a ' +
        'CSV row BULK_MAX_CSV_FIELDS (`payload_too_large`, naming the limit); nothing was stored.',
    ],
    [415, 'Another media type, or a charset other than UTF-8 (`unsupported_media_type`).'],
    [
      429,
      'Rate limited (`rate_limited`), TENANT_MAX_CONCURRENT_UPLOADS uploads already in flight ' +
        '(`too_many_uploads`), the tenant has TENANT_MAX_ACTIVE_JOBS unfinished jobs ' +
        '(`too_many_active_jobs`), or this job would pass TENANT_MAX_ITEMS_PER_DAY ' +
        '(`daily_item_limit_reached`); see `Retry-After`.',
    ],
  )
  async create(
    @TenantId() tenantId: string,
    @Query() query: CreateBulkJobQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BulkJobDto> {
    const mediaType = mediaTypeOf(req);
    let job: BulkJobDto;
    if (mediaType === 'application/x-ndjson' || mediaType === 'text/csv') {
      job = await this.acceptJob.execute(tenantId, {
        operation: query.operation ?? '',
        webhookUrl: query.webhook_url,
        atomic: query.atomic,
        priority: query.priority,
        format: mediaType === 'text/csv' ? 'csv' : 'ndjson',
        items: stagedUpload(req),
      });
    } else {
      // Validate the envelope on a one-item sample: the full array is passed on untouched, never
      // copied or checked item by item here (the workers check each item).
      const raw = (req.body ?? {}) as Record<string, unknown>;
      const items = raw.items;
      const sample = Array.isArray(items) ? items.slice(0, 1) : items;
      const body = (await bodyValidation.transform(
        { ...raw, items: sample },
        { type: 'body', metatype: CreateBulkJobDto },
      )) as CreateBulkJobDto;
      job = await this.acceptJob.execute(tenantId, {
        operation: body.operation,
        webhookUrl: body.webhook_url ?? query.webhook_url,
        atomic: body.atomic ?? query.atomic,
        priority: body.priority ?? query.priority,
        format: 'json',
        items: items as unknown[],
      });
    }
    res.location(job.links.self);
    res.setHeader('Retry-After', POLL_SECONDS);
    return job;
  }

  @Get()
  @Paginated({
    key: BULK_JOBS_PAGE_KEY,
    direction: 'desc',
    filters: ['status', 'operation'],
  })
  @ApiOperation({ operationId: 'listBulkJobs', summary: 'List bulk jobs, newest first' })
  @ApiPageResponse(BulkJobDto, 'BulkJobPage')
  list(
    @TenantId() tenantId: string,
    @Query() query: ListBulkJobsQueryDto,
    @PageArgs() page: PageRequest,
  ): Promise<Page<BulkJobDto>> {
    return this.jobs.list(tenantId, query, page);
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getBulkJob',
    summary: 'Get a bulk job',
    description:
      'While the job runs the response carries `Retry-After`. `Prefer: wait=N` (N ≤ 60) holds the response until the job changes state or N seconds pass.',
  })
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description: 'RFC 7240 `wait=N` (seconds, at most 60): long-poll for a state change.',
  })
  @ApiOkResponse({
    type: BulkJobDto,
    headers: { ...RETRY_AFTER, 'Preference-Applied': { schema: { type: 'string' } } },
  })
  @ApiProblems(404)
  async get(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BulkJobDto> {
    let job = await this.jobs.get(tenantId, id);
    const wait = preferWaitSeconds(prefer);
    if (wait !== undefined && !isTerminal(job.status)) {
      await this.progress.waitForStatusChange(
        id,
        job.status,
        wait * 1000,
        async () => (await this.jobs.find(tenantId, id)).status,
      );
      job = await this.jobs.get(tenantId, id);
      res.setHeader('Preference-Applied', `wait=${wait}`);
    }
    if (!isTerminal(job.status)) res.setHeader('Retry-After', POLL_SECONDS);
    return job;
  }

  @Get(':id/items')
  @Paginated({
    key: [{ column: 'idx', type: 'integer' }],
    direction: 'asc',
    filters: ['status'],
    params: ['id'],
  })
  @ApiOperation({
    operationId: 'listBulkJobItems',
    summary: "List a job's items in order, optionally by status",
  })
  @ApiPageResponse(BulkJobItemDto, 'BulkJobItemPage')
  @ApiProblems(404)
  listItems(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() query: ListBulkJobItemsQueryDto,
    @PageArgs() page: PageRequest,
  ): Promise<Page<BulkJobItemDto>> {
    return this.jobs.listItems(tenantId, id, query.status, page);
  }

  @Get(':id/results')
  @ApiOperation({
    operationId: 'downloadBulkJobResults',
    summary: "Download every item's outcome",
    description:
      'Streams `text/csv` (default; columns index,id,ref,status,error_code,error_message) or `application/x-ndjson` (by `Accept`).',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({ description: 'One line per item, in item order.', schema: { type: 'string' } })
  @ApiProblems(404)
  async results(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Headers('accept') accept: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const ndjson =
      /application\/(x-)?ndjson/i.test(accept ?? '') && !/text\/csv/i.test(accept ?? '');
    await this.jobs.find(tenantId, id);
    res.status(200);
    res.setHeader(
      'Content-Type',
      ndjson ? 'application/x-ndjson; charset=utf-8' : 'text/csv; charset=utf-8',
    );
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${id}-results.${ndjson ? 'ndjson' : 'csv'}"`,
    );
    try {
      await this.jobs.streamResults(tenantId, id, ndjson ? 'ndjson' : 'csv', res);
    } catch (e) {
      res.destroy(e as Error); // headers are out: all we can do is cut the stream
    }
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'cancelBulkJob',
    summary: 'Cancel a bulk job',
    description:
      'Every chunk not yet started is cancelled at once (its items become `cancelled`); chunks being applied right now finish, and the answer carries the final counters.',
  })
  @ApiAcceptedResponse({ type: BulkJobDto })
  // No body is needed, but one may be sent: the body limit and media-type check still apply.
  @ApiProblems(404, [409, 'The job has already ended (`job_not_cancellable`).'], 408, 413, 415)
  cancel(@TenantId() tenantId: string, @Param('id') id: string): Promise<BulkJobDto> {
    return this.cancelJob.execute(tenantId, id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'retryBulkJob',
    summary: 'Retry the failed items in a new job',
    description: 'The new job has `retry_of` set to this job.',
  })
  @ApiAcceptedResponse({ type: BulkJobDto, headers: { ...LOCATION, ...RETRY_AFTER } })
  @ApiProblems(
    404,
    [
      409,
      'The job has not ended (`job_not_finished`) or has no failed items (`nothing_to_retry`).',
    ],
    408,
    413,
    415,
  )
  async retry(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BulkJobDto> {
    const job = await this.retryJob.execute(tenantId, id);
    res.location(job.links.self);
    res.setHeader('Retry-After', POLL_SECONDS);
    return job;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteBulkJob',
    summary: 'Delete a finished bulk job with its items and results',
  })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems(404, [409, 'The job is still running (`job_not_deletable`).'])
  async remove(@TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    await this.deleteJob.execute(tenantId, id);
  }
}
