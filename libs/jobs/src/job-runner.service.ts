import { flattenValidationErrors } from '@app/common';
import { TransactionRunner } from '@app/database';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DataSource, type EntityManager } from 'typeorm';
import { PARSE_ERROR_FIELD } from './ingest/ndjson';
import { JobEventsService } from './job-events.service';
import { ItemErrorCode, TERMINAL_STATUSES, type JobStatus } from './jobs.constants';
import type { BulkOperationHandler, ChunkItem, ItemOutcome } from './operations/bulk-operation';
import { OperationRegistry } from './operations/operation.registry';

interface JobHead {
  id: string;
  tenant_id: string;
  operation: string;
  status: JobStatus;
  chunk_size: number;
  source_format: string;
}

interface PendingItem {
  idx: number;
  payload: unknown;
  dedupe_key: string | null;
}

type FailedOutcome = Extract<ItemOutcome, { status: 'failed' }>;

class AtomicRollback extends Error {
  constructor(readonly failures: FailedOutcome[]) {
    super(`${failures.length} item(s) failed`);
  }
}

/**
 * Applies bulk jobs. A chunk's item outcomes, its domain writes and the job's counters commit in one
 * transaction, and only `pending` items are picked (under row locks), so a chunk re-run after a crash
 * applies nothing twice.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('JobRunner');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly transactions: TransactionRunner,
    private readonly registry: OperationRegistry,
    private readonly events: JobEventsService,
  ) {}

  async processChunk(jobId: string, chunk: number): Promise<{ applied: number }> {
    const started = await this.startWithOperation(jobId);
    if (!('op' in started)) return started;
    const { job, op } = started;
    const lo = chunk * job.chunk_size;
    return this.transactions.run(async () => {
      const m = this.txHost.tx;
      const items = await m.query<PendingItem[]>(
        `SELECT idx, payload, dedupe_key FROM bulk_job_items
          WHERE job_id = $1 AND idx >= $2 AND idx < $3 AND status = 'pending'
          ORDER BY idx FOR UPDATE`,
        [jobId, lo, lo + job.chunk_size],
      );
      if (!items.length) return { applied: 0 };
      const outcomes = await this.apply(m, job, op, items);
      await this.writeOutcomes(m, jobId, outcomes);
      await this.count(m, jobId, outcomes);
      return { applied: items.length };
    });
  }

  /** All or nothing: one transaction over every chunk; any failure rolls the whole job back. */
  async processAtomic(jobId: string): Promise<{ applied: number }> {
    const started = await this.startWithOperation(jobId);
    if (!('op' in started)) return started;
    const { job, op } = started;
    try {
      return await this.transactions.run(async () => {
        const m = this.txHost.tx;
        let after = -1;
        let applied = 0;
        const all: ItemOutcome[] = [];
        for (;;) {
          const items = await m.query<PendingItem[]>(
            `SELECT idx, payload, dedupe_key FROM bulk_job_items
              WHERE job_id = $1 AND idx > $2 AND status = 'pending' ORDER BY idx LIMIT $3 FOR UPDATE`,
            [jobId, after, job.chunk_size],
          );
          if (!items.length) break;
          after = items[items.length - 1].idx;
          const outcomes = await this.apply(m, job, op, items);
          all.push(...outcomes);
          applied += items.length;
        }
        const failures = all.filter((o): o is FailedOutcome => o.status === 'failed');
        if (failures.length) throw new AtomicRollback(failures);
        await this.writeOutcomes(m, jobId, all);
        await this.count(m, jobId, all);
        return { applied };
      });
    } catch (e) {
      if (!(e instanceof AtomicRollback)) throw e;
      await this.recordRollback(jobId, e.failures);
      return { applied: 0 };
    }
  }

  /** The job and its operation, or the result to return when there is nothing (left) to run. */
  private async startWithOperation(
    jobId: string,
  ): Promise<{ job: JobHead; op: BulkOperationHandler } | { applied: number }> {
    const job = await this.start(jobId);
    if (!job) return { applied: 0 };
    const op = this.registry.get(job.operation);
    if (!op)
      return this.failJob(
        jobId,
        'unknown_operation',
        `No worker knows the operation ${job.operation}`,
      );
    return { job, op };
  }

  /** Marks the job processing (its own statement, so readers see it at once); null if there is nothing to do. */
  private async start(jobId: string): Promise<JobHead | null> {
    await this.dataSource.query(
      `UPDATE bulk_jobs SET status = 'processing', started_at = now(), updated_at = now()
        WHERE id = $1 AND status = 'pending'`,
      [jobId],
    );
    const [job] = await this.dataSource.query<JobHead[]>(
      `SELECT id, tenant_id, operation, status, chunk_size, source_format FROM bulk_jobs WHERE id = $1`,
      [jobId],
    );
    if (!job || TERMINAL_STATUSES.includes(job.status)) return null;
    return job;
  }

  private async apply(
    m: EntityManager,
    job: JobHead,
    op: BulkOperationHandler,
    items: PendingItem[],
  ): Promise<ItemOutcome[]> {
    const outcomes: ItemOutcome[] = [];
    const duplicates = await this.duplicates(m, job.id, items);
    const valid: ChunkItem<object>[] = [];
    for (const it of items) {
      if (duplicates.has(it.idx)) {
        outcomes.push({
          idx: it.idx,
          status: 'failed',
          code: ItemErrorCode.DuplicateItem,
          message: `${op.dedupeField ?? 'key'} ${it.dedupe_key} already appears earlier in this job`,
        });
        continue;
      }
      const checked = this.validate(op, it.payload, job.source_format === 'csv');
      if (typeof checked === 'string') {
        outcomes.push({
          idx: it.idx,
          status: 'failed',
          code: ItemErrorCode.ValidationFailed,
          message: checked,
        });
      } else valid.push({ idx: it.idx, item: checked });
    }
    if (valid.length) {
      const applied = await op.applyChunk(
        { tenantId: job.tenant_id, jobId: job.id, manager: m },
        valid,
      );
      if (applied.length !== valid.length) {
        throw new Error(
          `operation ${op.name} returned ${applied.length} outcomes for ${valid.length} items`,
        );
      }
      outcomes.push(...applied);
    }
    return outcomes.sort((a, b) => a.idx - b.idx);
  }

  /** Items whose key already appears at a lower index of the same job (set-based, one query per chunk). */
  private async duplicates(
    m: EntityManager,
    jobId: string,
    items: PendingItem[],
  ): Promise<Set<number>> {
    const keyed = items.filter((i) => i.dedupe_key !== null);
    if (!keyed.length) return new Set();
    // A LATERAL probe with LIMIT 1 is one index lookup per item whatever the statistics say (items
    // just inserted may have none, and a semi-join plan would then read the whole job per chunk).
    const rows = await m.query<{ idx: number }[]>(
      `SELECT c.idx FROM unnest($2::int[], $3::text[]) AS c(idx, k)
        CROSS JOIN LATERAL (SELECT 1 FROM bulk_job_items e
                             WHERE e.job_id = $1 AND e.dedupe_key = c.k AND e.idx < c.idx LIMIT 1) AS earlier`,
      [jobId, keyed.map((i) => i.idx), keyed.map((i) => i.dedupe_key)],
    );
    return new Set(rows.map((r) => r.idx));
  }

  /** Returns the typed item, or a readable reason why it is invalid. */
  private validate(op: BulkOperationHandler, payload: unknown, fromCsv: boolean): object | string {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return 'each item must be a JSON object';
    }
    const parseError = (payload as Record<string, unknown>)[PARSE_ERROR_FIELD];
    if (typeof parseError === 'string') return parseError;
    const instance: object = plainToInstance(op.itemDto, payload, {
      enableImplicitConversion: fromCsv,
    });
    const errors = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
    });
    if (!errors.length) return instance;
    return flattenValidationErrors(errors)
      .map((e) => e.message)
      .join('; ');
  }

  private async writeOutcomes(
    m: EntityManager,
    jobId: string,
    outcomes: ItemOutcome[],
  ): Promise<void> {
    await m.query(
      `UPDATE bulk_job_items i
          SET status = u.status, result_id = COALESCE(u.rid, i.result_id), error_code = u.code, error_message = u.msg
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(idx, status, rid, code, msg)
        WHERE i.job_id = $1 AND i.idx = u.idx AND i.idx BETWEEN $7 AND $8`,
      [
        jobId,
        outcomes.map((o) => o.idx),
        outcomes.map((o) => o.status),
        outcomes.map((o) => (o.status === 'succeeded' ? (o.resultId ?? null) : null)),
        outcomes.map((o) => (o.status === 'failed' ? o.code : null)),
        outcomes.map((o) => (o.status === 'failed' ? o.message : null)),
        // The index range bound keeps this a range scan of the chunk even without statistics.
        outcomes.reduce((min, o) => Math.min(min, o.idx), Infinity),
        outcomes.reduce((max, o) => Math.max(max, o.idx), -Infinity),
      ],
    );
  }

  /** Adds the chunk to the counters; the chunk that tries the last item completes the job. */
  private async count(m: EntityManager, jobId: string, outcomes: ItemOutcome[]): Promise<void> {
    const ok = outcomes.filter((o) => o.status === 'succeeded').length;
    const [row] = (
      await m.query<
        [{ processed_items: number; total_items: number; status: JobStatus }[], number]
      >(
        `UPDATE bulk_jobs SET processed_items = processed_items + $2, succeeded = succeeded + $3, failed = failed + $4,
                updated_at = now()
          WHERE id = $1 RETURNING processed_items, total_items, status`,
        [jobId, outcomes.length, ok, outcomes.length - ok],
      )
    )[0];
    if (row.status === 'processing' && row.processed_items >= row.total_items) {
      await m.query(
        `UPDATE bulk_jobs SET status = 'completed', completed_at = now(),
                expires_at = now() + make_interval(secs => $2), updated_at = now()
          WHERE id = $1 AND status = 'processing'`,
        [jobId, this.events.ttlSeconds],
      );
      await this.events.jobEnded(jobId);
    } else {
      await this.events.notifyChanged(jobId, row.status);
    }
  }

  /** After an atomic rollback: nothing applied; failing items carry their errors, the others say why not. */
  private async recordRollback(jobId: string, failures: FailedOutcome[]): Promise<void> {
    await this.transactions.run(async () => {
      const m = this.txHost.tx;
      await this.writeOutcomes(m, jobId, failures);
      const [, cancelled] = await m.query<[unknown, number]>(
        `UPDATE bulk_job_items SET status = 'cancelled', error_code = $2, error_message = $3
          WHERE job_id = $1 AND status = 'pending'`,
        [jobId, ItemErrorCode.RolledBack, 'not applied: another item of this atomic job failed'],
      );
      await m.query(
        `UPDATE bulk_jobs SET status = 'failed', processed_items = total_items, succeeded = 0, failed = $2,
                error = $3, completed_at = now(), expires_at = now() + make_interval(secs => $4), updated_at = now()
          WHERE id = $1 AND status = 'processing'`,
        [
          jobId,
          failures.length,
          JSON.stringify({
            code: 'atomic_rollback',
            message: `${failures.length} item(s) failed, so none of the ${failures.length + cancelled} items was applied`,
          }),
          this.events.ttlSeconds,
        ],
      );
      await this.events.jobEnded(jobId);
    });
  }

  private async failJob(
    jobId: string,
    code: string,
    message: string,
  ): Promise<{ applied: number }> {
    this.logger.error(`job ${jobId} failed: ${message}`);
    await this.transactions.run(async () => {
      const m = this.txHost.tx;
      await m.query(
        `UPDATE bulk_jobs SET status = 'failed', error = $2, completed_at = now(),
                expires_at = now() + make_interval(secs => $3), updated_at = now()
          WHERE id = $1 AND status IN ('pending', 'processing')`,
        [jobId, JSON.stringify({ code, message }), this.events.ttlSeconds],
      );
      await this.events.jobEnded(jobId);
    });
    return { applied: 0 };
  }
}
