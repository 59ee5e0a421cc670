import { Database } from '@app/database';
import { annotateActiveSpan, startTracedWork, type TracedWork } from '@app/telemetry';
import type { Attributes } from '@opentelemetry/api';
import { Injectable, Logger } from '@nestjs/common';
import { dedupeKey } from '../ingest/chunk-builder';
import { refOf } from '../items/item-view';
import { isTerminal } from '../domain/job-status';
import { JobLifecycleService } from '../records/job-lifecycle.service';
import { ItemErrorCode } from '../domain/jobs.constants';
import type {
  BulkOperationHandler,
  ChunkItem,
  ItemOutcome,
} from '../domain/operations/bulk-operation';
import { ItemValidator } from '../domain/operations/item-validator';
import {
  FairScheduler,
  TenantSlotsTaken,
  type NoClaim,
} from '../scheduling/fair-scheduler.service';
import { OperationRegistry } from '../domain/operations/operation.registry';
import type { FailureRow } from '../items/failure-row';
import { JobItemsService } from '../items/job-items.service';
import { ChunkWorkRepository, type ClaimedChunk, type ChunkOutcome } from './chunk-work.repository';

/** Chunk transactions may wait and run longer than requests (`DB_WORKER_*` settings). */
const LONG = { budget: 'long' } as const;

/** What a chunk needs to be applied: its items, their duplicates, and its job's head. */
interface ChunkInput {
  chunkNo: number;
  items: string;
  duplicates: number[] | null;
}

interface JobHead {
  id: string;
  tenantId: string;
  chunkSize: number;
  totalItems: number;
  sourceFormat: string;
}

/** The outcome of applying one chunk, ready to be stored. */
interface AppliedChunk {
  outcome: ChunkOutcome;
  failures: FailureRow[];
}

/** What one worker turn did. */
export type TurnResult =
  { outcome: 'applied'; applied: number; jobId?: string } | { outcome: NoClaim; applied: 0 };

/** Claims lost to a race for a tenant's last slot before the turn is given back for later. */
const MAX_CLAIM_ATTEMPTS = 3;

class AtomicRollback extends Error {
  constructor(
    readonly failures: FailureRow[],
    readonly chunkSize: number,
    readonly totalItems: number,
  ) {
    super(`${failures.length} item(s) failed`);
  }
}

/**
 * Applies bulk jobs chunk by chunk. The chunk row is the unit: a worker locks it, applies its items,
 * and commits the domain writes, the chunk's outcomes and its counts in one transaction; only
 * `pending` chunks are applied, so a chunk re-run after a crash applies nothing twice.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('JobRunner');

  constructor(
    private readonly db: Database,
    private readonly registry: OperationRegistry,
    private readonly validator: ItemValidator,
    private readonly chunks: ChunkWorkRepository,
    private readonly items: JobItemsService,
    private readonly lifecycle: JobLifecycleService,
    private readonly scheduler: FairScheduler,
  ) {}

  /**
   * One worker turn: applies the chunk the fair scheduler picks (any job's), in one transaction with
   * its tenant slot, inside a span joined to the trace of the request that submitted that job.
   */
  async processNext(attributes: Attributes = {}, turnOf?: string): Promise<TurnResult> {
    const skipTenants = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      let work: TracedWork | undefined;
      let claimed: string | undefined;
      let tenant: string | undefined;
      try {
        const result = await this.db
          .transaction(async () => {
            const claim = await this.scheduler.claim(skipTenants, turnOf);
            if (typeof claim === 'string') return claim;
            claimed = claim.jobId;
            tenant = claim.chunk.tenantId;
            work = startTracedWork('bulk_job.chunk', claim.chunk.traceContext, {
              ...attributes,
              'bulk_job.id': claim.jobId,
              'bulk_job.chunk': claim.chunk.chunkNo,
            });
            return work.run(() => this.applyClaimed(claim.jobId, claim.chunk));
          }, LONG)
          .finally(() => {
            // The transaction has ended either way: the chunk's tenant slot is free again.
            if (tenant !== undefined) this.scheduler.release(tenant);
          });
        if (typeof result === 'string') return { outcome: result, applied: 0 };
        // After this chunk's commit: if it was the last one, this completes the job.
        await work!.run(() => this.lifecycle.completeIfDone(claimed!));
        work!.end();
        return { outcome: 'applied', applied: result, jobId: claimed };
      } catch (e) {
        work?.end(e);
        if (e instanceof TenantSlotsTaken) {
          // Another worker took the tenant's last slot between the count and the claim.
          skipTenants.add(e.tenantId);
          if (attempt < MAX_CLAIM_ATTEMPTS) continue;
          return { outcome: 'blocked', applied: 0 };
        }
        if (e instanceof UnknownOperation) {
          await this.failUnknownOperation(claimed!, e.operation);
          return { outcome: 'applied', applied: 0, jobId: claimed };
        }
        throw e;
      }
    }
  }

  /** Applies a claimed chunk and records its outcome; runs in the claiming transaction. */
  private async applyClaimed(jobId: string, claimed: ClaimedChunk): Promise<number> {
    if (claimed.state !== 'pending' || isTerminal(claimed.jobStatus)) return 0;
    const op = this.operation(claimed.operation);
    if (claimed.jobStatus === 'pending') await this.startOutside(jobId);
    const done = await this.apply({ id: jobId, ...claimed }, op, claimed);
    await this.chunks.complete(jobId, [done.outcome]);
    await this.chunks.insertFailures(jobId, done.failures);
    annotateActiveSpan({
      'bulk_job.operation': op.name,
      'bulk_job.items': done.outcome.succeeded + done.outcome.failed,
      'bulk_job.succeeded': done.outcome.succeeded,
      'bulk_job.failed': done.outcome.failed,
    });
    return done.outcome.succeeded + done.outcome.failed;
  }

  /** All or nothing: one transaction over every chunk; any failure rolls the whole job back. */
  async processAtomic(jobId: string): Promise<{ applied: number }> {
    try {
      return await this.db.transaction(async () => {
        const nos = await this.chunks.lockPending(jobId);
        if (!nos.length) return { applied: 0 };
        const first = await this.chunks.claim(jobId, nos[0]);
        if (!first || isTerminal(first.jobStatus)) return { applied: 0 };
        const op = this.operation(first.operation);
        if (first.jobStatus === 'pending') await this.startOutside(jobId);
        const head = { id: jobId, ...first };
        const outcomes: ChunkOutcome[] = [];
        const failures: FailureRow[] = [];
        let applied = 0;
        for (const chunkNo of nos) {
          const input = chunkNo === first.chunkNo ? first : await this.readChunk(jobId, chunkNo);
          const done = await this.apply(head, op, input);
          outcomes.push(done.outcome);
          failures.push(...done.failures);
          applied += done.outcome.succeeded + done.outcome.failed;
        }
        annotateActiveSpan({
          'bulk_job.operation': op.name,
          'bulk_job.chunks': nos.length,
          'bulk_job.items': applied,
          'bulk_job.succeeded': applied - failures.length,
          'bulk_job.failed': failures.length,
        });
        if (failures.length) throw new AtomicRollback(failures, head.chunkSize, head.totalItems);
        await this.chunks.complete(jobId, outcomes);
        await this.lifecycle.completeIfDone(jobId);
        return { applied };
      }, LONG);
    } catch (e) {
      if (e instanceof UnknownOperation) return this.failUnknownOperation(jobId, e.operation);
      if (!(e instanceof AtomicRollback)) throw e;
      await this.recordRollback(jobId, e);
      return { applied: 0 };
    }
  }

  private async readChunk(jobId: string, chunkNo: number): Promise<ChunkInput> {
    const chunk = await this.items.chunkItems(jobId, chunkNo);
    // Claimed in this transaction, so it exists; a job deleted before the claim has no chunks.
    if (!chunk) throw new Error(`chunk ${chunkNo} of job ${jobId} vanished while claimed`);
    return { chunkNo, ...chunk };
  }

  private operation(name: string): BulkOperationHandler {
    const op = this.registry.get(name);
    if (!op) throw new UnknownOperation(name);
    return op;
  }

  /** The start must be visible before the chunk commits: its own statement, outside the transaction. */
  private startOutside(jobId: string): Promise<void> {
    return this.db.outside(() => this.lifecycle.start(jobId));
  }

  /** Validates and applies one chunk's items; returns its compact outcome and its failures. */
  private async apply(
    job: JobHead,
    op: BulkOperationHandler,
    input: ChunkInput,
  ): Promise<AppliedChunk> {
    const items = JSON.parse(input.items) as unknown[];
    const base = input.chunkNo * job.chunkSize;
    const duplicates = new Set(input.duplicates ?? []);
    const keys = items.map((item) => (op.dedupeField ? dedupeKey(item, op.dedupeField) : null));
    const outcomes = new Array<ItemOutcome>(items.length);
    const valid: ChunkItem<object>[] = [];
    items.forEach((item, p) => {
      const idx = base + p;
      if (duplicates.has(p)) {
        outcomes[p] = {
          idx,
          status: 'failed',
          code: ItemErrorCode.DuplicateItem,
          message: `${op.dedupeField ?? 'key'} ${keys[p]} already appears earlier in this job`,
        };
        return;
      }
      const checked = this.validator.check(op, item, job.sourceFormat === 'csv');
      if (typeof checked === 'string') {
        outcomes[p] = {
          idx,
          status: 'failed',
          code: ItemErrorCode.ValidationFailed,
          message: checked,
        };
      } else valid.push({ idx, item: checked });
    });
    if (valid.length) {
      const applied = await op.applyChunk({ tenantId: job.tenantId, jobId: job.id }, valid);
      if (applied.length !== valid.length) {
        throw new Error(
          `operation ${op.name} returned ${applied.length} outcomes for ${valid.length} items`,
        );
      }
      for (const o of applied) outcomes[o.idx - base] = o;
    }
    return compact(input.chunkNo, base, items, keys, outcomes);
  }

  /** After an atomic rollback: nothing applied; failing items carry their errors, the others say why not. */
  private async recordRollback(jobId: string, rollback: AtomicRollback): Promise<void> {
    const { failures, chunkSize, totalItems } = rollback;
    const perChunk = new Map<number, number>();
    for (const f of failures) {
      const no = Math.floor(f.idx / chunkSize);
      perChunk.set(no, (perChunk.get(no) ?? 0) + 1);
    }
    const job = await this.db.transaction(async () => {
      await this.chunks.insertFailures(jobId, failures);
      await this.chunks.rollBack(jobId, perChunk);
      return this.lifecycle.finish(jobId, 'failed', {
        error: {
          code: 'atomic_rollback',
          message: `${failures.length} item(s) failed, so none of the ${totalItems} items was applied`,
        },
        counters: { processed: totalItems, succeeded: 0, failed: failures.length },
      });
    }, LONG);
    if (!job) this.logger.warn(`atomic job ${jobId} had already ended when it rolled back`);
  }

  private async failUnknownOperation(
    jobId: string,
    operation: string,
  ): Promise<{ applied: number }> {
    const message = `No worker knows the operation ${operation}`;
    this.logger.error(`job ${jobId} failed: ${message}`);
    await this.lifecycle.finish(jobId, 'failed', { error: { code: 'unknown_operation', message } });
    return { applied: 0 };
  }
}

class UnknownOperation extends Error {
  constructor(readonly operation: string) {
    super(`unknown operation ${operation}`);
  }
}

/**
 * Folds a chunk's per-item outcomes into what is stored: counts, result ids only where they differ
 * from the items' own keys, and a row per failed item.
 */
export function compact(
  chunkNo: number,
  base: number,
  items: unknown[],
  keys: (string | null)[],
  outcomes: ItemOutcome[],
): AppliedChunk {
  let succeeded = 0;
  let ownKeys = true;
  const failures: FailureRow[] = [];
  const ids: (string | null)[] = outcomes.map((o, p) => {
    if (o.status === 'failed') {
      failures.push({
        idx: base + p,
        itemId: keys[p],
        ref: refOf(items[p]),
        code: o.code,
        message: o.message,
      });
      return null;
    }
    succeeded++;
    const id = o.resultId ?? keys[p];
    if (id !== keys[p]) ownKeys = false;
    return id;
  });
  return {
    outcome: {
      chunkNo,
      state: 'done',
      succeeded,
      failed: failures.length,
      resultIds: ownKeys ? null : JSON.stringify(ids),
    },
    failures,
  };
}
