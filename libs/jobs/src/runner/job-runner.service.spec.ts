import 'reflect-metadata';
import type { Database } from '@app/database';
import { IsIn, IsString } from 'class-validator';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobLifecycleService } from '../records/job-lifecycle.service';
import { JobRunner } from './job-runner.service';
import type {
  BulkOperationHandler,
  ChunkItem,
  ItemOutcome,
} from '../domain/operations/bulk-operation';
import { ItemValidator } from '../domain/operations/item-validator';
import type { OperationRegistry } from '../domain/operations/operation.registry';
import {
  TenantSlotsTaken,
  type FairScheduler,
  type NoClaim,
} from '../scheduling/fair-scheduler.service';
import type { FailureRow } from '../items/bulk-job-chunks.repository';
import type { JobItemsService } from '../items/job-items.service';
import type { ChunkOutcome, ChunkWorkRepository, ClaimedChunk } from './chunk-work.repository';

class ItemDto {
  @IsString()
  id: string;

  @IsIn(['on', 'off'])
  state: string;
}

/** Applies every valid item; an id starting with `missing` is not found. */
const applyChunk = vi.fn((_ctx, items: ChunkItem<ItemDto>[]) =>
  Promise.resolve(
    items.map(({ idx, item }): ItemOutcome =>
      item.id.startsWith('missing')
        ? { idx, status: 'failed', code: 'not_found', message: `${item.id} not found` }
        : { idx, status: 'succeeded', resultId: item.id },
    ),
  ),
);
const op: BulkOperationHandler<ItemDto> = {
  name: 'toggle',
  itemDto: ItemDto,
  dedupeField: 'id',
  applyChunk,
};

const claimed = (over: Partial<ClaimedChunk> = {}): ClaimedChunk => ({
  chunkNo: 1,
  state: 'pending',
  items: JSON.stringify([
    { id: 'a', state: 'on' },
    { id: 'missing-b', state: 'on' },
    { id: 'c', state: 'sideways' },
    { id: 'a', state: 'off' },
  ]),
  duplicates: [3],
  tenantId: 't',
  operation: 'toggle',
  jobStatus: 'processing',
  chunkSize: 4,
  totalItems: 8,
  sourceFormat: 'json',
  ...over,
});

type ClaimAnswer = ClaimedChunk | NoClaim | TenantSlotsTaken;

/** The scheduler answers each claim in turn with the next of `answers` (the last one repeats). */
function setup(...answers: ClaimAnswer[]) {
  const completed: ChunkOutcome[][] = [];
  const failures: FailureRow[][] = [];
  let turn = 0;
  const scheduler = {
    claim: vi.fn((_skip: ReadonlySet<string>) => {
      const a = answers[Math.min(turn++, answers.length - 1)];
      if (a instanceof TenantSlotsTaken) return Promise.reject(a);
      if (typeof a === 'string') return Promise.resolve(a);
      return Promise.resolve({ jobId: 'job_1', chunk: { ...a, traceContext: null, slot: 0 } });
    }),
    release: vi.fn((_tenant: string) => undefined),
  };
  const chunks = {
    complete: vi.fn((_id: string, o: ChunkOutcome[]) => Promise.resolve(void completed.push(o))),
    insertFailures: vi.fn((_id: string, f: FailureRow[]) => Promise.resolve(void failures.push(f))),
  };
  const lifecycle = {
    start: vi.fn(() => Promise.resolve()),
    finish: vi.fn(() => Promise.resolve(null)),
    completeIfDone: vi.fn(() => Promise.resolve(null)),
  };
  const db = {
    transaction: <T>(fn: () => Promise<T>) => fn(),
    outside: <T>(fn: () => Promise<T>) => fn(),
  };
  const runner = new JobRunner(
    db as unknown as Database,
    { get: (n: string) => (n === 'toggle' ? op : undefined) } as unknown as OperationRegistry,
    new ItemValidator(),
    chunks as unknown as ChunkWorkRepository,
    {} as JobItemsService,
    lifecycle as unknown as JobLifecycleService,
    scheduler as unknown as FairScheduler,
  );
  return { runner, chunks, lifecycle, scheduler, completed, failures };
}

describe('JobRunner.processNext', () => {
  beforeEach(() => vi.clearAllMocks());

  it('applies the claimed chunk and stores its compact outcome, one row per failed item', async () => {
    const s = setup(claimed());
    expect(await s.runner.processNext()).toEqual({
      outcome: 'applied',
      applied: 4,
      jobId: 'job_1',
    });
    expect(s.completed).toEqual([
      [{ chunkNo: 1, state: 'done', succeeded: 1, failed: 3, resultIds: null }],
    ]);
    expect(s.failures[0].map((f) => [f.idx, f.code])).toEqual([
      [5, 'not_found'],
      [6, 'validation_failed'],
      [7, 'duplicate_item'],
    ]);
    expect(s.failures[0][2].message).toBe('id a already appears earlier in this job');
    expect(s.lifecycle.completeIfDone).toHaveBeenCalledWith('job_1');
    expect(s.lifecycle.start).not.toHaveBeenCalled();
    // Its tenant's slot counts as free again once the transaction has ended.
    expect(s.scheduler.release).toHaveBeenCalledWith('t');
  });

  it('starts a pending job before applying its first chunk', async () => {
    const s = setup(claimed({ jobStatus: 'pending' }));
    await s.runner.processNext();
    expect(s.lifecycle.start).toHaveBeenCalledWith('job_1');
  });

  it('applies nothing for a chunk of an ended job, but still checks completion', async () => {
    const s = setup(claimed({ jobStatus: 'cancelled' }));
    expect(await s.runner.processNext()).toEqual({
      outcome: 'applied',
      applied: 0,
      jobId: 'job_1',
    });
    expect(s.chunks.complete).not.toHaveBeenCalled();
    expect(s.lifecycle.completeIfDone).toHaveBeenCalledWith('job_1');
    expect(applyChunk).not.toHaveBeenCalled();
  });

  it('reports a turn that found nothing to claim, without touching any job', async () => {
    for (const answer of ['idle', 'blocked'] as const) {
      const s = setup(answer);
      expect(await s.runner.processNext()).toEqual({ outcome: answer, applied: 0 });
      expect(s.lifecycle.completeIfDone).not.toHaveBeenCalled();
    }
    expect(applyChunk).not.toHaveBeenCalled();
  });

  it('claims again without a tenant whose last slot was taken meanwhile, and gives up after three races', async () => {
    const raced = setup(new TenantSlotsTaken('t'), claimed());
    expect((await raced.runner.processNext()).outcome).toBe('applied');
    expect([...raced.scheduler.claim.mock.calls[1][0]]).toEqual(['t']);

    const lost = setup(new TenantSlotsTaken('t'));
    expect(await lost.runner.processNext()).toEqual({ outcome: 'blocked', applied: 0 });
    expect(lost.scheduler.claim).toHaveBeenCalledTimes(3);
  });

  it('fails the job when no worker knows its operation', async () => {
    const s = setup(claimed({ operation: 'gone' }));
    expect(await s.runner.processNext()).toEqual({
      outcome: 'applied',
      applied: 0,
      jobId: 'job_1',
    });
    expect(s.lifecycle.finish).toHaveBeenCalledWith('job_1', 'failed', {
      error: { code: 'unknown_operation', message: 'No worker knows the operation gone' },
    });
  });
});
