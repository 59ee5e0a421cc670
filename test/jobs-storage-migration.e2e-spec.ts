import { MIGRATIONS, runMigrations } from '@app/database';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from './support/bulk';
import { createTestDatabase, type TestDatabase } from './support/database';
import { auth, createTestApp } from './support/test-app';

/**
 * Upgrade without loss: a database on the item-per-row layout (every migration before storage v2),
 * filled with jobs in every state, migrated to chunk storage, then read back through the API: the same
 * items, statuses, ids, refs, errors, results and counters; a job still pending then runs to the end.
 */

const V1 = MIGRATIONS.findIndex((m) => m.name.startsWith('ChunkStorage'));
const CHUNK = 3;

interface OldItem {
  idx: number;
  payload: object;
  ref?: string;
  dedupe_key?: string;
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
  result_id?: string;
  error_code?: string;
  error_message?: string;
}

interface OldJob {
  id: string;
  operation: string;
  status: string;
  atomic?: boolean;
  counters: [number, number, number];
  error?: object;
  items: OldItem[];
}

const ok = (idx: number, id: string, extra: Partial<OldItem> = {}): OldItem => ({
  idx,
  payload: { id, status: 'paid', ...(extra.ref ? { ref: extra.ref } : {}) },
  dedupe_key: id,
  status: 'succeeded',
  result_id: id,
  ...extra,
});

const JOBS: OldJob[] = [
  {
    id: 'job_mig_update',
    operation: 'update_orders_status',
    status: 'completed',
    counters: [5, 3, 2],
    items: [
      ok(0, 'ord_a', { ref: 'r0' }),
      ok(1, 'ord_b'),
      {
        idx: 2,
        payload: { id: 'ord_x', status: 'paid' },
        dedupe_key: 'ord_x',
        status: 'failed',
        error_code: 'not_found',
        error_message: 'Order ord_x was not found',
      },
      {
        idx: 3,
        payload: { id: 'ord_a', status: 'paid', ref: 'again' },
        ref: 'again',
        dedupe_key: 'ord_a',
        status: 'failed',
        error_code: 'duplicate_item',
        error_message: 'id ord_a already appears earlier in this job',
      },
      ok(4, 'ord_c'),
    ],
  },
  {
    id: 'job_mig_create',
    operation: 'create_orders',
    status: 'completed',
    counters: [4, 4, 0],
    items: [0, 1, 2, 3].map((i) => ({
      idx: i,
      payload: { customer_id: `cus_${i}`, amount: i, currency: 'EUR', ref: `row-${i}` },
      ref: `row-${i}`,
      status: 'succeeded' as const,
      result_id: `ord_created_${i}`,
    })),
  },
  {
    id: 'job_mig_cancelled',
    operation: 'update_orders_status',
    status: 'cancelled',
    counters: [3, 3, 0],
    items: [
      ok(0, 'ord_a'),
      ok(1, 'ord_b'),
      ok(2, 'ord_c'),
      ...[3, 4, 5, 6].map((i) => ({
        idx: i,
        payload: { id: `ord_p${i}`, status: 'paid' },
        dedupe_key: `ord_p${i}`,
        status: 'cancelled' as const,
      })),
    ],
  },
  {
    id: 'job_mig_atomic',
    operation: 'update_orders_status',
    status: 'failed',
    atomic: true,
    counters: [4, 0, 1],
    error: {
      code: 'atomic_rollback',
      message: '1 item(s) failed, so none of the 4 items was applied',
    },
    items: [0, 1, 2, 3].map((i) =>
      i === 2
        ? {
            idx: i,
            payload: { id: `ord_q${i}`, status: 'bogus' },
            dedupe_key: `ord_q${i}`,
            status: 'failed' as const,
            error_code: 'validation_failed',
            error_message: 'status must be one of the following values',
          }
        : {
            idx: i,
            payload: { id: `ord_q${i}`, status: 'paid' },
            dedupe_key: `ord_q${i}`,
            status: 'cancelled' as const,
            error_code: 'rolled_back',
            error_message: 'not applied: another item of this atomic job failed',
          },
    ),
  },
];

describe('bulk job storage v2 migration', () => {
  let db: TestDatabase;
  let pg: Client;
  const pendingOrders: string[] = ['ord_pend_0', 'ord_pend_1', 'ord_pend_2'];

  beforeAll(async () => {
    db = await createTestDatabase('jobsmig');
    await runMigrations(db.url, MIGRATIONS.slice(0, V1));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    for (const id of pendingOrders) {
      await pg.query(
        `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status) VALUES ($1, 'acme', 'cus_mig', 1, 'EUR', 'pending')`,
        [id],
      );
    }
    const pending: OldJob = {
      id: 'job_mig_pending',
      operation: 'update_orders_status',
      status: 'pending',
      counters: [0, 0, 0],
      items: [
        ...pendingOrders.map((id, i) => ({
          idx: i,
          payload: { id, status: 'paid' },
          dedupe_key: id,
          status: 'pending' as const,
        })),
        {
          idx: 3,
          payload: { id: pendingOrders[0], status: 'cancelled' },
          dedupe_key: pendingOrders[0],
          status: 'pending',
        },
      ],
    };
    for (const job of [...JOBS, pending]) {
      const ended = job.status !== 'pending';
      await pg.query(
        `INSERT INTO bulk_jobs (id, tenant_id, operation, status, atomic, chunk_size, total_items,
                                processed_items, succeeded, failed, error, completed_at, expires_at)
         VALUES ($1, 'acme', $2, $3, $4, $5, $6, $7, $8, $9, $10,
                 CASE WHEN $11 THEN now() END, CASE WHEN $11 THEN now() + interval '1 day' END)`,
        [
          job.id,
          job.operation,
          job.status,
          job.atomic ?? false,
          CHUNK,
          job.items.length,
          ...job.counters,
          job.error ? JSON.stringify(job.error) : null,
          ended,
        ],
      );
      for (const it of job.items) {
        await pg.query(
          `INSERT INTO bulk_job_items (job_id, idx, payload, ref, dedupe_key, status, result_id, error_code, error_message)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            job.id,
            it.idx,
            JSON.stringify(it.payload),
            it.ref ?? null,
            it.dedupe_key ?? null,
            it.status,
            it.result_id ?? null,
            it.error_code ?? null,
            it.error_message ?? null,
          ],
        );
      }
    }
    await runMigrations(db.url);
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  /** What the item-per-row layout answered for an item. */
  const expected = (it: OldItem) => ({
    index: it.idx,
    id: it.result_id ?? it.dedupe_key ?? null,
    ...(it.ref !== undefined ? { ref: it.ref } : {}),
    status: it.status,
    error: it.error_code ? { code: it.error_code, message: it.error_message } : null,
  });

  it('moves every item into chunk rows and drops the item-per-row table', async () => {
    const tables = await pg.query(
      `SELECT to_regclass('bulk_job_items') AS old, to_regclass('bulk_job_chunks') AS chunks`,
    );
    expect(tables.rows[0]).toEqual({ old: null, chunks: 'bulk_job_chunks' });
    const chunks = await pg.query(
      `SELECT job_id, count(*)::int AS n, sum(item_count)::int AS items FROM bulk_job_chunks GROUP BY 1 ORDER BY 1`,
    );
    expect(chunks.rows).toEqual(
      [...JOBS.map((j) => [j.id, j.items.length]), ['job_mig_pending', 4]]
        .sort(([a], [b]) => String(a).localeCompare(String(b)))
        .map(([id, n]) => ({ job_id: id, n: Math.ceil(Number(n) / CHUNK), items: n })),
    );
  });

  it('reads the same items, results and counters back through the API', async () => {
    const t = await createTestApp({ TEST_LABEL: 'jobsmig', RUN_WORKERS: 'false' }, [], db);
    try {
      for (const job of JOBS) {
        const got = await t.http.get(`/bulk-jobs/${job.id}`).set(auth()).expect(200);
        expect(got.body).toMatchObject({
          status: job.status,
          total_items: job.items.length,
          processed_items: job.counters[0],
          succeeded: job.counters[1],
          failed: job.counters[2],
        });
        const items = await t.http
          .get(`/bulk-jobs/${job.id}/items?limit=100`)
          .set(auth())
          .expect(200);
        expect(items.body.data).toEqual(job.items.map(expected));
        for (const status of ['succeeded', 'failed', 'cancelled', 'pending'] as const) {
          const page = await t.http
            .get(`/bulk-jobs/${job.id}/items?limit=100&status=${status}`)
            .set(auth())
            .expect(200);
          expect(page.body.data).toEqual(
            job.items.filter((i) => i.status === status).map(expected),
          );
        }
        const results = await t.http
          .get(`/bulk-jobs/${job.id}/results`)
          .set(auth())
          .set('Accept', 'application/x-ndjson')
          .expect(200);
        expect(
          results.text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as object),
        ).toEqual(
          job.items.map((it) => ({
            index: it.idx,
            id: it.result_id ?? it.dedupe_key ?? null,
            ref: it.ref ?? null,
            status: it.status,
            error: it.error_code ? { code: it.error_code, message: it.error_message } : null,
          })),
        );
      }
    } finally {
      await t.close();
    }
  });

  it('runs a job that was still pending, keeping its duplicate found before the upgrade', async () => {
    const t = await createTestApp({ TEST_LABEL: 'jobsmig' }, [], db);
    try {
      const job = await waitForJob(t.http, 'job_mig_pending');
      expect(job).toMatchObject({ status: 'completed', succeeded: 3, failed: 1 });
      const failed = await t.http
        .get('/bulk-jobs/job_mig_pending/items?status=failed')
        .set(auth())
        .expect(200);
      expect(failed.body.data).toEqual([
        {
          index: 3,
          id: pendingOrders[0],
          status: 'failed',
          error: {
            code: 'duplicate_item',
            message: `id ${pendingOrders[0]} already appears earlier in this job`,
          },
        },
      ]);
      const orders = await pg.query(`SELECT status, count(*)::int AS n FROM orders GROUP BY 1`);
      expect(orders.rows).toEqual([{ status: 'paid', n: 3 }]);
    } finally {
      await t.close();
    }
  });
});
