import { Database, type Statement } from '@app/database';
import type { KeyColumn, PageRequest, SortDirection } from '@app/pagination';
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  IdempotencyKeysRepository,
  type KeyRecord,
} from '../libs/idempotency/src/idempotency-keys.repository';
import { IdempotencyService, type KeyedRequest } from '../libs/idempotency/src/idempotency.service';
import { BulkJobChunksRepository } from '../libs/jobs/src/items/bulk-job-chunks.repository';
import {
  BULK_JOBS_PAGE_KEY,
  BulkJobsRepository,
  type NewJob,
} from '../libs/jobs/src/records/bulk-jobs.repository';
import {
  EVENTS_PAGE_KEY,
  JobEventsRepository,
} from '../libs/jobs/src/records/job-events.repository';
import { ChunkWorkRepository } from '../libs/jobs/src/runner/chunk-work.repository';
import { TenantQuotasRepository } from '../libs/jobs/src/scheduling/tenant-quotas.repository';
import { TenantSlotsRepository } from '../libs/jobs/src/scheduling/tenant-slots.repository';
import { OrdersRepository, type NewOrderRow } from '../libs/orders/src/orders.repository';
import { ORDER_PAGE_KEY } from '../libs/orders/src/orders.service';
import type { EventType } from '../libs/jobs/src/domain/jobs.constants';
import { newJobRow } from './support/bulk';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * The SQL of every repository, recorded from the statements its methods send to a real Postgres and
 * kept in checked-in `queries/*.sql` files beside it, so that a change of SQL shows in review.
 */
const UPDATE = process.env.UPDATE_SQL_SNAPSHOTS === '1';
const REFRESH = 'UPDATE_SQL_SNAPSHOTS=1 npx vitest run test/sql-snapshots.e2e-spec.ts';
const ROOT = resolve(__dirname, '..');

/** A snapshotted class, its file, and the methods on its prototype that are not called directly. */
interface Target {
  type: abstract new (...args: never[]) => object;
  file: string;
  skip: readonly string[];
}
const target = (type: Target['type'], file: string, skip: string[] = []): Target => ({
  type,
  file: `libs/${file}`,
  skip,
});
const TARGETS = [
  target(OrdersRepository, 'orders/src/queries/orders.repository.sql'),
  // returning: private, the CTE that insert, setTotal and finish wrap their writes in.
  target(BulkJobsRepository, 'jobs/src/records/queries/bulk-jobs.repository.sql', ['returning']),
  target(JobEventsRepository, 'jobs/src/records/queries/job-events.repository.sql'),
  target(BulkJobChunksRepository, 'jobs/src/items/queries/bulk-job-chunks.repository.sql'),
  target(ChunkWorkRepository, 'jobs/src/runner/queries/chunk-work.repository.sql'),
  target(TenantSlotsRepository, 'jobs/src/scheduling/queries/tenant-slots.repository.sql'),
  target(TenantQuotasRepository, 'jobs/src/scheduling/queries/tenant-quotas.repository.sql'),
  target(IdempotencyKeysRepository, 'idempotency/src/queries/idempotency-keys.repository.sql'),
];

type Sent = Pick<Statement, 'text' | 'name'>;
type Capture = { type: unknown; method: string; label?: string; sent: Sent[] };

const recording = new AsyncLocalStorage<Sent[]>();
const captures: Capture[] = [];
/** Adds statements to the capture running in this async context (none outside `capture`). */
const note = (...statements: Statement[]) =>
  recording.getStore()?.push(...statements.map(({ text, name }) => ({ text, name })));
/** Runs `fn` without recording: set-up inside a capture. */
const unrecorded = <T>(fn: () => Promise<T>): Promise<T> => recording.exit(fn);

/** Calls `repo[method]` through `use`, recording every statement it sends under `Class.method (label)`. */
async function capture<R extends object, M extends keyof R & string>(
  repo: R,
  method: M,
  use: (fn: R[M]) => Promise<unknown>,
  label?: string,
): Promise<void> {
  const fn = (repo[method] as (...args: unknown[]) => unknown).bind(repo) as R[M];
  const sent: Sent[] = [];
  await recording.run(sent, () => use(fn));
  const title = `${repo.constructor.name}.${method}${label ? ` (${label})` : ''}`;
  expect(sent.length, `${title} sent no SQL`).toBeGreaterThan(0);
  captures.push({ type: repo.constructor, method, label, sent });
}

/** Trimmed lines, one blank line at most between them, a closing `;`. */
const normalize = (sql: string): string =>
  sql
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .replace(/;?$/, ';');

/** A snapshot file's text: sections by method name, each method's calls in the order they ran. */
function render(target: Target): string {
  const name = target.type.name;
  const own = captures.filter((c) => c.type === target.type);
  const sections = [...own]
    .sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : 0))
    .map((c) => {
      const header = `-- ${name}.${c.method}${c.label ? ` (${c.label})` : ''}`;
      const body = c.sent.map((s) => (s.name ? `-- name: ${s.name}\n` : '') + normalize(s.text));
      return [header, ...body].join('\n');
    });
  const head = `-- Statements ${name} sends, recorded by test/sql-snapshots.e2e-spec.ts (values left out).\n-- Refresh: ${REFRESH}`;
  return [head, ...sections].join('\n\n') + '\n';
}

/** Methods on the class's prototype no capture called (constructor and `skip` aside). */
function uncovered(target: Target): string[] {
  const proto = target.type.prototype as object;
  const called = new Set(captures.filter((c) => c.type === target.type).map((c) => c.method));
  return Object.getOwnPropertyNames(proto).filter(
    (m) => m !== 'constructor' && !target.skip.includes(m) && !called.has(m),
  );
}

const T = 'acme';

/** No filter, each of two filters alone, and both: the four shapes of a list's WHERE. */
function filterSets<A extends object, B extends object>(
  [a, onlyA]: [string, A],
  [b, onlyB]: [string, B],
): [string, Partial<A & B>][] {
  return [
    ['no filter', {}],
    [`${a} filter`, onlyA],
    [`${b} filter`, onlyB],
    [`${a} and ${b} filters`, { ...onlyA, ...onlyB }],
  ];
}

/** Page 1 and the page after it, for each direction and filter set (list SQL is built per shape). */
async function eachPageShape<F>(
  key: readonly KeyColumn[],
  filterSets: [string, F][],
  run: (filters: F, page: PageRequest, label: string) => Promise<string[] | null>,
): Promise<void> {
  for (const direction of ['asc', 'desc'] as SortDirection[]) {
    for (const [name, filters] of filterSets) {
      const first: PageRequest = { limit: 1, after: null, key, direction };
      const next = await run(filters, first, `${direction}, ${name}, page 1`);
      if (!next) throw new Error(`sample data too small for a second page (${name})`);
      await run(filters, { ...first, after: next }, `${direction}, ${name}, after key`);
    }
  }
}

describe('SQL snapshots of the repositories', () => {
  let t: TestApp;
  let db: Database;

  beforeAll(async () => {
    t = await createTestApp({ TEST_LABEL: 'sqlsnap', RUN_WORKERS: 'false' });
    db = t.app.get(Database);
    // Through to the real methods; `rows` and `count` call `query`.
    const [query, copyFrom] = [db.query.bind(db), db.copyFrom.bind(db)];
    vi.spyOn(db, 'query').mockImplementation((s) => (note(s), query(s)));
    vi.spyOn(db, 'copyFrom').mockImplementation((sql) => (note({ text: sql }), copyFrom(sql)));
    await ordersCalls(t.app.get(OrdersRepository));
    await jobsCalls(t.app.get(BulkJobsRepository));
    // The runner's repository lives in the worker module, which this app (no workers) leaves out.
    await chunksCalls(
      t.app.get(BulkJobChunksRepository),
      new ChunkWorkRepository(db),
      t.app.get(TenantSlotsRepository),
      t.app.get(BulkJobsRepository),
    );
    await eventsCalls(t.app.get(JobEventsRepository));
    await quotasCalls(t.app.get(TenantQuotasRepository));
    await idempotencyCalls(t.app.get(IdempotencyKeysRepository), t.app.get(IdempotencyService));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  async function ordersCalls(orders: OrdersRepository): Promise<void> {
    const order = (n: number): NewOrderRow => ({
      id: `ord_snap_${n}`,
      customerId: 'cus_1',
      amount: 1000 + n,
      currency: 'EUR',
      status: 'pending',
    });
    await capture(orders, 'insert', (insert) => insert({ ...order(1), tenantId: T, version: 1 }));
    await capture(orders, 'insertMany', (insertMany) => insertMany(T, [order(2), order(3)]));
    await capture(orders, 'find', (find) => find(T, 'ord_snap_1'));
    const shapes = filterSets(
      ['status', { status: 'pending' as const }],
      ['customer', { customerId: 'cus_1' }],
    );
    await eachPageShape(ORDER_PAGE_KEY, shapes, async (filters, page, label) => {
      let rows: Record<string, unknown>[] = [];
      await capture(orders, 'page', async (p) => (rows = await p(T, filters, page)), label);
      const last = rows[page.limit - 1];
      return rows.length > page.limit ? [String(last.__key0), String(last.__key1)] : null;
    });
    await capture(orders, 'setStatus', (setStatus) => setStatus(T, 'ord_snap_1', 1, 'paid'));
    const ids = ['ord_snap_2', 'ord_snap_3'];
    await capture(orders, 'lockStatuses', (lock) => db.transaction(() => lock(T, ids)));
    await capture(orders, 'setStatuses', (setStatuses) =>
      db.transaction(async () => {
        await unrecorded(() => orders.lockStatuses(T, ids));
        await setStatuses(ids.map((id) => ({ id, status: 'cancelled' })));
      }),
    );
  }

  const job = (id: string, over: Partial<NewJob> = {}) => newJobRow(id, T, over);

  async function jobsCalls(jobs: BulkJobsRepository): Promise<void> {
    const traceContext = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    await capture(jobs, 'insert', (insert) =>
      insert(job('job_snap_1', { priority: 'high', totalItems: 4, traceContext })),
    );
    await jobs.insert(job('job_snap_2', { sourceFormat: 'ndjson' }));
    await capture(jobs, 'setTotal', (setTotal) => setTotal('job_snap_2', 3));
    const shapes = filterSets(
      ['status', { status: 'pending' as const }],
      ['operation', { operation: 'update_orders_status' }],
    );
    await eachPageShape(BULK_JOBS_PAGE_KEY, shapes, async (filters, page, label) => {
      let next: string[] | null = null;
      await capture(jobs, 'page', async (p) => (next = (await p(T, filters, page)).nextKey), label);
      return next;
    });
    await capture(jobs, 'findForTenant', (find) => find(T, 'job_snap_1'));
    await capture(jobs, 'findById', (find) => find('job_snap_1'));
    await capture(jobs, 'statuses', (statuses) => statuses(['job_snap_1', 'job_snap_2']));
    await capture(jobs, 'markProcessing', (mark) => mark('job_snap_1'));
    await capture(jobs, 'staleActive', (staleActive) => staleActive(0, 10));
    await capture(jobs, 'finish', (finish) =>
      finish('job_snap_1', 'completed', 0, { whenNoPendingChunks: true }),
    );
    await capture(jobs, 'expiredIds', (expiredIds) => expiredIds(10));
    await capture(jobs, 'statsByOperation', (stats) => stats());
    await capture(jobs, 'durationsLastHour', (durations) => durations());
    await capture(jobs, 'delete', (del) => del('job_snap_1', T));
  }

  async function chunksCalls(
    chunks: BulkJobChunksRepository,
    work: ChunkWorkRepository,
    slots: TenantSlotsRepository,
    jobs: BulkJobsRepository,
  ) {
    const id = 'job_snap_chunks';
    await jobs.insert(job(id, { totalItems: 6 }));
    const items = JSON.stringify([{ id: 'ord_snap_1', status: 'paid' }, { id: 'ord_x' }]);
    /** Stores `count` chunks of the job through a writer, in a transaction as the writer needs. */
    const store = (writer: BulkJobChunksRepository['writer'], jobId: string, count: number) =>
      db.transaction(async () => {
        const w = writer(jobId);
        for (let chunkNo = 0; chunkNo < count; chunkNo++)
          await w.write({ chunkNo, itemCount: 2, items, duplicates: chunkNo ? [0] : [] });
        await w.close();
      });
    await capture(chunks, 'writer', (writer) => store(writer, id, 3), 'COPY of three chunks');
    await capture(slots, 'schedulable', (schedulable) => schedulable());
    await capture(slots, 'tenantLoad', (tenantLoad) => tenantLoad());
    await capture(slots, 'runningFor', (runningFor) => runningFor(T));
    await capture(work, 'claim', (claim) => db.transaction(() => claim(id, 0)));
    await capture(slots, 'claimNext', (claimNext) => db.transaction(() => claimNext(id, 2)));
    await capture(work, 'lockPending', (lock) => db.transaction(() => lock(id)));
    await capture(chunks, 'readItems', (readItems) => readItems(id, 0));
    const done = { chunkNo: 0, state: 'done', succeeded: 1, failed: 1, resultIds: null } as const;
    await capture(work, 'complete', (complete) => complete(id, [done]));
    const failure = { idx: 1, itemId: 'ord_x', ref: null, code: 'NOT_FOUND', message: 'no order' };
    await capture(work, 'insertFailures', (insert) => insert(id, [failure]));
    await capture(chunks, 'anyPending', (anyPending) => anyPending(id));
    await capture(chunks, 'pendingChunkNos', (pendingChunkNos) => pendingChunkNos(id));
    await capture(chunks, 'readFrom', (readFrom) => readFrom(id, 0, 10, ['done', 'pending']));
    await capture(chunks, 'failuresBetween', (between) => between(id, 0, 10));
    await capture(chunks, 'failuresAfter', (after) => after(id, -1, 10));
    await capture(chunks, 'awaitRunning', (awaitRunning) => db.transaction(() => awaitRunning(id)));
    await capture(chunks, 'cancelIdle', (cancelIdle) => db.transaction(() => cancelIdle(id)));
    await capture(chunks, 'deleteBatch', (del) => del(id, 100), 'failures left');
    await capture(chunks, 'deleteBatch', (del) => del(id, 100), 'chunks left');
    const atomic = 'job_snap_atomic';
    await jobs.insert(job(atomic, { atomic: true, totalItems: 2 }));
    await store((jobId) => chunks.writer(jobId), atomic, 1);
    const failed = new Map([[0, 1]]);
    await capture(work, 'rollBack', (rollBack) => db.transaction(() => rollBack(atomic, failed)));
  }

  async function eventsCalls(events: JobEventsRepository): Promise<void> {
    const event = (n: number) => ({
      id: `evt_snap_${n}`,
      tenantId: T,
      type: 'bulk_job.completed' as const,
      jobId: 'job_snap_2',
      data: { id: 'job_snap_2', status: 'completed' },
      webhookUrl: n === 1 ? 'https://hooks.example.com/bulk' : null,
    });
    await capture(events, 'insert', (insert) => insert(event(1)));
    await events.insert(event(2));
    const types: [string, EventType | undefined][] = [
      ['no filter', undefined],
      ['type filter', 'bulk_job.completed'],
    ];
    await eachPageShape(EVENTS_PAGE_KEY, types, async (type, page, label) => {
      let next: string[] | null = null;
      await capture(events, 'page', async (p) => (next = (await p(T, type, page)).nextKey), label);
      return next;
    });
    await capture(events, 'notifyJobChanged', (notify) =>
      db.transaction(() => notify('job_snap_2', 'completed')),
    );
    await capture(events, 'findDeliverable', (find) => find('evt_snap_1'));
    await capture(events, 'recordDelivery', (record) => record('evt_snap_1', 'delivered', 1));
    await capture(events, 'deleteForJob', (deleteForJob) => deleteForJob('job_snap_2'));
  }

  async function quotasCalls(quotas: TenantQuotasRepository): Promise<void> {
    await capture(quotas, 'activeCount', (activeCount) => activeCount(T));
    await capture(quotas, 'lockAdmissions', (lock) => db.transaction(() => lock(T)));
    await capture(quotas, 'addItemsToday', (add) => db.transaction(() => add(T, 10, 1000)));
    await capture(quotas, 'itemsToday', (itemsToday) => itemsToday(T));
    await capture(quotas, 'deleteOldDays', (deleteOldDays) => deleteOldDays());
  }

  async function idempotencyCalls(
    keys: IdempotencyKeysRepository,
    idem: IdempotencyService,
  ): Promise<void> {
    const req = (key: string): KeyedRequest => ({
      tenantId: T,
      key,
      fingerprint: 'fp_snap',
      method: 'POST',
      path: '/orders',
    });
    const record = (key: string, status = 201): KeyRecord => ({
      ...req(key),
      status,
      headers: { etag: '"1"' },
      body: '{}',
      ttlSeconds: 60,
    });
    /** Sends `closing` with COMMIT of a transaction opened for `key`, as the interceptor does. */
    const commitWith = (key: string, closing: Statement) => {
      note(closing);
      return db.bracketed(keys.claim(T, key, 60), () =>
        Promise.resolve({ value: null, closing: [closing] }),
      );
    };
    await capture(keys, 'claim', async (claim) => {
      const statements = claim(T, 'key_1', 60);
      note(...statements);
      const decided = await db.bracketed(statements, (r) =>
        Promise.resolve({ value: idem.decide(req('key_1'), r) }),
      );
      expect(decided).toEqual({ kind: 'claimed', replace: false });
    });
    const expireAll = () =>
      db.rows(`UPDATE idempotency_keys SET expires_at = now() - interval '1 s'`);
    for (const replace of [false, true]) {
      if (replace) await expireAll();
      const label = replace ? 'replacing an expired record' : 'new key';
      await capture(keys, 'record', (r) => commitWith('key_1', r(record('key_1'), replace)), label);
    }
    await capture(keys, 'storeOutcome', (store) => store(record('key_2', 422)));
    await expireAll();
    await capture(keys, 'deleteExpired', (del) => del(2), 'batch of 2, two expired');
  }

  it('calls every public method of every repository', () => {
    const missing = TARGETS.flatMap((t) => uncovered(t).map((m) => `${t.type.name}.${m}`));
    expect(
      missing,
      'call these in test/sql-snapshots.e2e-spec.ts (or list a private helper in skip)',
    ).toEqual([]);
  });

  it.each(TARGETS.map((t) => [t.file, t] as const))('%s matches the SQL sent', (file, target) => {
    const path = resolve(ROOT, file);
    const actual = render(target);
    if (UPDATE) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, actual);
      return;
    }
    expect(existsSync(path), `${file} is missing: run ${REFRESH}`).toBe(true);
    const expected = readFileSync(path, 'utf8');
    expect(
      actual,
      `the SQL sent differs from ${file} (- file, + sent): review, then run ${REFRESH}`,
    ).toBe(expected);
  });
});
