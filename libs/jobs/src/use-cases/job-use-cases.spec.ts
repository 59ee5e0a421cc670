import 'reflect-metadata';
import { InvalidInputError } from '@app/common';
import type { Database } from '@app/database';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BulkJob } from '../domain/entities/bulk-job.entity';
import type { NewChunk } from '../ingest/chunk-builder';
import { JobError } from '../domain/jobs.errors';
import type { OperationRegistry } from '../domain/operations/operation.registry';
import type { JobItemsService } from '../items/job-items.service';
import type { JobDispatcher } from '../queueing/job-dispatcher.service';
import type { JobLifecycleService } from '../records/job-lifecycle.service';
import { JobRecords, type NewJob } from '../records/job-records.service';
import type { TenantQuotas } from '../scheduling/tenant-quotas.service';
import { AcceptJob } from './accept-job/accept-job.use-case';
import { CancelJob } from './cancel-job/cancel-job.use-case';
import { CreateJob } from './create-job/create-job.use-case';
import { DeleteJob } from './delete-job/delete-job.use-case';
import { ReadJobs } from './read-jobs/read-jobs.service';
import { RetryJob } from './retry-job/retry-job.use-case';

const job = (over: Partial<BulkJob> = {}): BulkJob =>
  Object.assign(new BulkJob(), {
    id: 'job_1',
    tenantId: 't',
    operation: 'update_orders_status',
    status: 'pending',
    atomic: false,
    sourceFormat: 'json',
    chunkSize: 2,
    totalItems: 0,
    processedItems: 0,
    succeeded: 0,
    failed: 0,
    webhookUrl: null,
    retryOf: null,
    error: null,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    startedAt: null,
    completedAt: null,
    expiresAt: null,
    ...over,
  });

/** The use cases on fakes of their collaborators, recording what they asked of them. */
function setup() {
  const afterCommit: (() => Promise<unknown>)[] = [];
  const written: NewChunk[] = [];
  const stored = new Map<string, BulkJob>();
  const writer = {
    write: vi.fn((c: NewChunk) => Promise.resolve(void written.push(c))),
    close: vi.fn(() => Promise.resolve()),
    abort: vi.fn(() => Promise.resolve()),
  };
  const jobs = {
    insert: vi.fn((j: NewJob) => {
      const row = job({
        id: j.id,
        operation: j.operation,
        retryOf: j.retryOf,
        totalItems: j.totalItems ?? 0,
      });
      stored.set(j.id, row);
      return Promise.resolve(row);
    }),
    setTotal: vi.fn((id: string, total: number) => {
      const row = Object.assign(stored.get(id)!, { totalItems: total });
      return Promise.resolve(row);
    }),
    findForTenant: vi.fn((_t: string, id: string) => Promise.resolve(stored.get(id) ?? null)),
    delete: vi.fn(() => Promise.resolve()),
  };
  const lifecycle = { finish: vi.fn() };
  const dispatcher = { enqueueJob: vi.fn(() => Promise.resolve()) };
  const items = {
    writer: vi.fn(() => writer),
    stopPending: vi.fn(() => Promise.resolve()),
    failedItems: vi.fn(),
  };
  const quotas = {
    precheck: vi.fn(() => Promise.resolve()),
    admit: vi.fn(() => Promise.resolve()),
  };
  const transactions = {
    transaction: <T>(fn: () => Promise<T>) => fn(),
    afterCommit: (hook: () => Promise<unknown>) => Promise.resolve(void afterCommit.push(hook)),
    requireTransaction: () => undefined,
  };
  const registry = {
    get: (name: string) =>
      name === 'update_orders_status' ? { name, dedupeField: 'id' } : undefined,
    names: () => ['update_orders_status'],
  };
  const db = transactions as unknown as Database;
  const config = {
    chunkSize: 2,
    maxItems: 5,
    jobTtlSeconds: 60,
    webhookAllowPrivateNetworks: false,
  } as never;
  // The real records service over a fake repository: `find` answers not_found as in production.
  const records = new JobRecords(db, jobs as never, {} as never);
  const itemsService = items as unknown as JobItemsService;
  const create = new CreateJob(
    db,
    registry as unknown as OperationRegistry,
    records,
    itemsService,
    quotas as unknown as TenantQuotas,
    dispatcher as unknown as JobDispatcher,
    config,
  );
  const service = {
    accept: (t: string, input: Parameters<AcceptJob['execute']>[1]) =>
      new AcceptJob(db, registry as unknown as OperationRegistry, create, config).execute(t, input),
    cancel: (t: string, id: string) =>
      new CancelJob(db, records, itemsService, lifecycle as unknown as JobLifecycleService).execute(
        t,
        id,
      ),
    retry: (t: string, id: string) =>
      new RetryJob(db, records, itemsService, create).execute(t, id),
    delete: (t: string, id: string) => new DeleteJob(records).execute(t, id),
    get: (t: string, id: string) => new ReadJobs(records, itemsService).get(t, id),
  };
  return {
    service,
    jobs,
    lifecycle,
    dispatcher,
    items,
    quotas,
    writer,
    written,
    stored,
    afterCommit,
  };
}

describe('job use cases', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup();
  });

  it('accepts: a job row, its items in chunks with duplicates marked, the total, and an enqueue after commit', async () => {
    const dto = await s.service.accept('t', {
      operation: 'update_orders_status',
      format: 'json',
      items: [{ id: 'a' }, { id: 'b' }, { id: 'a' }],
    });
    expect(dto).toMatchObject({ status: 'pending', total_items: 3 });
    expect(s.written.map((c) => [c.chunkNo, c.itemCount, c.duplicates])).toEqual([
      [0, 2, []],
      [1, 1, [0]],
    ]);
    expect(s.writer.close).toHaveBeenCalled();
    expect(s.dispatcher.enqueueJob).not.toHaveBeenCalled();
    await Promise.all(s.afterCommit.map((h) => h()));
    // No span is active here (tracing off): nothing to carry.
    expect(s.dispatcher.enqueueJob).toHaveBeenCalledWith(dto.id, false, [0, 1], null);
  });

  it('checks the tenant limits before reading items, then admits the counted items before commit', async () => {
    await s.service.accept('t', {
      operation: 'update_orders_status',
      format: 'json',
      priority: 'high',
      items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
    });
    expect(s.quotas.precheck).toHaveBeenCalledWith('t', 3);
    expect(s.quotas.admit).toHaveBeenCalledWith('t', 3);
    expect(s.jobs.insert).toHaveBeenCalledWith(expect.objectContaining({ priority: 'high' }));
    expect(s.quotas.precheck.mock.invocationCallOrder[0]).toBeLessThan(
      s.jobs.insert.mock.invocationCallOrder[0],
    );
    // A refusal at admission throws out of the transaction: nothing is enqueued.
    s.quotas.admit.mockRejectedValueOnce(new JobError('too_many_active_jobs', 'full', 10));
    s.afterCommit.length = 0;
    await expect(
      s.service.accept('t', { operation: 'update_orders_status', format: 'json', items: [{}] }),
    ).rejects.toMatchObject({ status: 429, retryAfterSeconds: 10 });
    expect(s.afterCommit).toEqual([]);
  });

  it('refuses an empty job and one over BULK_MAX_ITEMS with 400, cancelling the COPY', async () => {
    await expect(
      s.service.accept('t', { operation: 'update_orders_status', format: 'json', items: [] }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    const tooMany = Array.from({ length: 6 }, (_, i) => ({ id: String(i) }));
    // A JSON array, empty or over the limit, is refused before anything is written.
    await expect(
      s.service.accept('t', { operation: 'update_orders_status', format: 'json', items: tooMany }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(s.jobs.insert).not.toHaveBeenCalled();
    // A streamed upload finds out while it is being written: the COPY is cancelled.
    async function* lines() {
      yield await Promise.resolve(tooMany.slice(0, 4));
      yield await Promise.resolve(tooMany.slice(4));
    }
    await expect(
      s.service.accept('t', {
        operation: 'update_orders_status',
        format: 'ndjson',
        items: lines(),
      }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(s.writer.abort).toHaveBeenCalled();
    await expect(
      s.service.accept('t', { operation: 'nope', format: 'json', items: [{}] }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('cancels idle chunks at once, waits for running ones, then ends the job', async () => {
    s.stored.set('job_1', job({ status: 'processing' }));
    s.lifecycle.finish.mockResolvedValue(job({ status: 'cancelled' }));
    const dto = await s.service.cancel('t', 'job_1');
    expect(dto.status).toBe('cancelled');
    expect(s.items.stopPending).toHaveBeenCalledWith('job_1');
    expect(s.lifecycle.finish).toHaveBeenCalledWith('job_1', 'cancelled');
  });

  it('answers job_not_cancellable for an ended job, or one that ended while the cancel waited', async () => {
    s.stored.set('job_1', job({ status: 'completed' }));
    await expect(s.service.cancel('t', 'job_1')).rejects.toMatchObject({
      code: 'job_not_cancellable',
      status: 409,
    });
    expect(s.items.stopPending).not.toHaveBeenCalled();
    s.stored.set('job_1', job({ status: 'processing' }));
    s.lifecycle.finish.mockResolvedValue(null);
    await expect(s.service.cancel('t', 'job_1')).rejects.toBeInstanceOf(JobError);
  });

  it('retries only ended jobs with failed items, into a new job with retry_of', async () => {
    s.stored.set('job_1', job({ status: 'processing' }));
    await expect(s.service.retry('t', 'job_1')).rejects.toMatchObject({ code: 'job_not_finished' });
    s.stored.set('job_1', job({ status: 'completed', failed: 0 }));
    await expect(s.service.retry('t', 'job_1')).rejects.toMatchObject({ code: 'nothing_to_retry' });
    s.stored.set('job_1', job({ status: 'completed', failed: 2 }));
    s.items.failedItems.mockReturnValue(
      (async function* () {
        yield await Promise.resolve([{ id: 'x' }, { id: 'y' }]);
      })(),
    );
    const dto = await s.service.retry('t', 'job_1');
    expect(dto).toMatchObject({ retry_of: 'job_1', total_items: 2 });
  });

  it('deletes only ended jobs, and 404s for a job the tenant cannot see', async () => {
    s.stored.set('job_1', job({ status: 'pending' }));
    await expect(s.service.delete('t', 'job_1')).rejects.toMatchObject({
      code: 'job_not_deletable',
    });
    s.stored.set('job_1', job({ status: 'failed' }));
    await s.service.delete('t', 'job_1');
    expect(s.jobs.delete).toHaveBeenCalledWith('job_1', 't');
    await expect(s.service.get('t', 'job_x')).rejects.toMatchObject({
      code: 'not_found',
      status: 404,
    });
  });
});
