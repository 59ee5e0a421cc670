import { BulkJobChunksRepository } from '../libs/jobs/src/items/bulk-job-chunks.repository';
import { BulkJobsRepository, type NewJob } from '../libs/jobs/src/records/bulk-jobs.repository';
import { JobEventsRepository } from '../libs/jobs/src/records/job-events.repository';
import { ChunkWorkRepository } from '../libs/jobs/src/runner/chunk-work.repository';
import { Database } from '@app/database';
import { Client } from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { newJobRow } from './support/bulk';
import { useTestApp } from './support/use-test-app';

/** The jobs rooms' repositories against a real Postgres: the SQL they own does what their callers rely on. */
describe('jobs repositories (real Postgres)', () => {
  const t = useTestApp({ TEST_LABEL: 'jobsrepo', RUN_WORKERS: 'false' });
  let jobs: BulkJobsRepository;
  let chunks: BulkJobChunksRepository;
  let work: ChunkWorkRepository;
  let events: JobEventsRepository;
  let tx: Database;
  let n = 0;

  beforeAll(() => {
    jobs = t.app.get(BulkJobsRepository);
    chunks = t.app.get(BulkJobChunksRepository);
    events = t.app.get(JobEventsRepository);
    tx = t.app.get(Database);
    // The runner's repository belongs to the worker module, which this app (no workers) leaves out.
    work = new ChunkWorkRepository(tx);
  });

  /** A job with `items` stored in chunks of 2 through the COPY writer. */
  const newJob = async (items: unknown[][], over: Partial<NewJob> = {}) => {
    const id = `job_repo_${++n}`;
    await tx.transaction(async () => {
      await jobs.insert(newJobRow(id, 'acme', over));
      const w = chunks.writer(id);
      for (const [i, c] of items.entries()) {
        await w.write({
          chunkNo: i,
          itemCount: c.length,
          items: JSON.stringify(c),
          duplicates: i ? [0] : [],
        });
      }
      await w.close();
      await jobs.setTotal(id, items.flat().length);
    });
    return id;
  };

  it('stores chunks through COPY byte for byte, escapes included', async () => {
    const tricky = [{ ref: 'tab\there', s: 'back\\slash "q" \n new\r\nline' }, { ref: 'ünï😀' }];
    const id = await newJob([tricky, [{ x: 1 }]]);
    const stored = await chunks.readFrom(id, 0, 10);
    expect(stored.map((c) => [c.chunkNo, c.state])).toEqual([
      [0, 'pending'],
      [1, 'pending'],
    ]);
    expect(JSON.parse(stored[0].items)).toEqual(tricky);
    expect((await chunks.readItems(id, 1))?.duplicates).toEqual([0]);
    expect((await jobs.findById(id))?.totalItems).toBe(3);
  });

  it("sums a running job's counters from its chunks and freezes them when it ends, once", async () => {
    const id = await newJob([[{}, {}], [{}, {}], [{}]]);
    expect(await jobs.markProcessing(id)).toBe(true);
    expect(await jobs.markProcessing(id)).toBe(false);
    await tx.transaction(async () => {
      await work.complete(id, [
        { chunkNo: 0, state: 'done', succeeded: 1, failed: 1, resultIds: null },
        { chunkNo: 1, state: 'done', succeeded: 2, failed: 0, resultIds: '["a","b"]' },
      ]);
      await work.insertFailures(id, [
        { idx: 1, itemId: 'x', ref: null, code: 'not_found', message: 'm' },
      ]);
    });
    expect(await jobs.findById(id)).toMatchObject({
      status: 'processing',
      processedItems: 4,
      succeeded: 3,
      failed: 1,
    });
    // Chunk 2 is still pending: completing "when no chunk is pending" does nothing yet.
    expect(await jobs.finish(id, 'completed', 60, { whenNoPendingChunks: true })).toBeNull();
    await work.complete(id, [
      { chunkNo: 2, state: 'done', succeeded: 1, failed: 0, resultIds: null },
    ]);
    const ended = await jobs.finish(id, 'completed', 60, { whenNoPendingChunks: true });
    expect(ended).toMatchObject({
      status: 'completed',
      processedItems: 5,
      succeeded: 4,
      failed: 1,
    });
    expect(ended?.expiresAt).not.toBeNull();
    // A second path ending the same job loses: the status machine allows no move out of completed.
    expect(await jobs.finish(id, 'cancelled', 60)).toBeNull();
    const frozen = await t.pg.query(
      `SELECT processed_items, succeeded, failed FROM bulk_jobs WHERE id = $1`,
      [id],
    );
    expect(frozen.rows[0]).toEqual({ processed_items: 5, succeeded: 4, failed: 1 });
    expect(await chunks.failuresAfter(id, -1, 10)).toEqual([
      { idx: 1, itemId: 'x', ref: null, code: 'not_found', message: 'm' },
    ]);
  });

  it('cancels idle chunks at once, skipping the one a worker holds, then waits for it', async () => {
    const id = await newJob([[{}], [{}], [{}], [{}]]);
    const worker = new Client({ connectionString: t.db.url });
    await worker.connect();
    try {
      await worker.query('BEGIN');
      await worker.query(
        `SELECT 1 FROM bulk_job_chunks WHERE job_id = $1 AND chunk_no = 1 FOR UPDATE`,
        [id],
      );
      let waited = false;
      const cancel = tx.transaction(async () => {
        expect(await chunks.cancelIdle(id)).toBe(3);
        await chunks.awaitRunning(id);
        waited = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(waited).toBe(false);
      await worker.query(
        `UPDATE bulk_job_chunks SET state = 'done' WHERE job_id = $1 AND chunk_no = 1`,
        [id],
      );
      await worker.query('COMMIT');
      await cancel;
      expect(waited).toBe(true);
    } finally {
      await worker.end();
    }
    const states = await chunks.readFrom(id, 0, 10);
    expect(states.map((c) => c.state)).toEqual(['cancelled', 'done', 'cancelled', 'cancelled']);
    expect(await chunks.pendingChunkNos(id)).toEqual([]);
  });

  it('rolls back every pending chunk of an atomic job, keeping failure counts per chunk', async () => {
    const id = await newJob(
      [
        [{}, {}],
        [{}, {}],
      ],
      { atomic: true },
    );
    await work.rollBack(id, new Map([[1, 2]]));
    const rows = await t.pg.query(
      `SELECT chunk_no, state, succeeded, failed FROM bulk_job_chunks WHERE job_id = $1 ORDER BY 1`,
      [id],
    );
    expect(rows.rows).toEqual([
      { chunk_no: 0, state: 'rolled_back', succeeded: 0, failed: 0 },
      { chunk_no: 1, state: 'rolled_back', succeeded: 0, failed: 2 },
    ]);
  });

  it('finds stale unfinished jobs and expired ones, and deletes a job with everything it owns', async () => {
    const traceContext = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const id = await newJob([[{}, {}], [{}]], { traceContext });
    await t.pg.query(`UPDATE bulk_jobs SET updated_at = now() - interval '1 hour' WHERE id = $1`, [
      id,
    ]);
    // The reconciler re-enqueues with the submitting request's trace context.
    expect((await jobs.staleActive(60, 100)).find((j) => j.id === id)).toEqual({
      id,
      atomic: false,
      status: 'pending',
      traceContext,
    });
    // A chunk that just finished means the job is moving: not stale.
    await work.complete(id, [
      { chunkNo: 0, state: 'done', succeeded: 2, failed: 0, resultIds: null },
    ]);
    expect((await jobs.staleActive(60, 100)).map((j) => j.id)).not.toContain(id);
    await jobs.finish(id, 'failed', -1, { error: { code: 'x', message: 'y' } });
    expect(await jobs.expiredIds(100)).toContain(id);
    await tx.transaction(() =>
      events.insert({
        id: `evt_${id}`,
        tenantId: 'acme',
        type: 'bulk_job.failed',
        jobId: id,
        data: {},
        webhookUrl: null,
      }),
    );
    while ((await chunks.deleteBatch(id, 1)) > 0);
    await events.deleteForJob(id);
    await jobs.delete(id);
    const left = await t.pg.query(
      `SELECT (SELECT count(*) FROM bulk_jobs WHERE id = $1)::int AS jobs,
              (SELECT count(*) FROM bulk_job_chunks WHERE job_id = $1)::int AS chunks,
              (SELECT count(*) FROM events WHERE job_id = $1)::int AS events`,
      [id],
    );
    expect(left.rows[0]).toEqual({ jobs: 0, chunks: 0, events: 0 });
  });
});
