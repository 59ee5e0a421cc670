import { Database, TYPEORM_POOL_ADAPTER_VERSION, typeormPool } from '@app/database';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/processes';
import { auth, createTestApp, type TestApp } from './support/test-app';

const LOCK_TIMEOUT_MS = 400;

/** A second session that holds a row lock until released (as a slow or stuck client would). */
async function holdRowLock(url: string, sql: string, params: unknown[]) {
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query('BEGIN');
  await c.query(sql, params);
  return {
    release: async () => {
      await c.query('ROLLBACK').catch(() => undefined);
      await c.end();
    },
  };
}

/** Named statements and PREPAREs this connection's session holds (one-connection pool). */
const prepared = async (db: Database) =>
  (await db.rows<{ name: string }>('SELECT name FROM pg_prepared_statements')).map((r) => r.name);

/** The Database API in one pool mode, on a pool of one connection so that its session can be read. */
describe.each(['session', 'transaction'] as const)('Database (%s pool mode)', (mode) => {
  let t: TestApp;
  let db: Database;
  beforeAll(async () => {
    t = await createTestApp({
      TEST_LABEL: `db_${mode}`,
      DATABASE_POOL_MODE: mode,
      DB_POOL_SIZE: '1',
      DB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
      DB_WORKER_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS * 5),
      RUN_WORKERS: 'false',
    });
    db = t.app.get(Database);
  });
  afterAll(async () => t?.close());

  it(
    mode === 'session'
      ? 'prepares named statements once per connection (statement and bracket)'
      : 'leaves nothing in the session: no named statement, no PREPARE',
    async () => {
      await db.rows({ name: 'probe_named', text: 'SELECT $1::int AS n', values: [1] });
      const n = await db.bracketed(
        [
          {
            name: 'probe_bracket',
            text: 'SELECT $1::text AS v',
            values: ["it's"],
            types: ['text'],
          },
        ],
        ([opened]) => Promise.resolve({ value: opened.rows[0] as { v: string } }),
      );
      expect(n.v).toBe("it's");
      const names = await prepared(db);
      if (mode === 'session') expect(names).toEqual(expect.arrayContaining(['probe_bracket']));
      else expect(names).toEqual([]);
    },
  );

  it('bounds a statement that waits for a lock by DB_LOCK_TIMEOUT_MS, in and outside a transaction', async () => {
    const [{ id }] = await db.rows<{ id: string }>(
      `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
       VALUES ('ord_lock_' || md5(random()::text), 'acme', 'c', 1, 'EUR', 'pending', 1) RETURNING id`,
    );
    const lock = await holdRowLock(t.db.url, 'SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [id]);
    try {
      const update = `UPDATE orders SET version = version + 1 WHERE id = $1`;
      for (const run of [
        () => db.count(update, [id]),
        () => db.transaction(() => db.count(update, [id])),
      ]) {
        const started = Date.now();
        await expect(run()).rejects.toMatchObject({ code: '55P03' });
        expect(Date.now() - started).toBeLessThan(LOCK_TIMEOUT_MS * 4);
      }
      // The long budget (workers, uploads) waits longer than a request would.
      const started = Date.now();
      await expect(
        db.transaction(() => db.count(update, [id]), { budget: 'long' }),
      ).rejects.toMatchObject({ code: '55P03' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(LOCK_TIMEOUT_MS * 4);
    } finally {
      await lock.release();
    }
    // The session is usable afterwards and kept no limit of the long transaction; behind a
    // transaction pooler the session itself carries none (each statement brings its own).
    const [row] = await db.rows<{ now: string; session: string }>(
      `SELECT current_setting('lock_timeout') AS now, reset_val AS session
         FROM pg_settings WHERE name = 'lock_timeout'`,
    );
    expect(row).toEqual({
      now: `${LOCK_TIMEOUT_MS}ms`,
      session: mode === 'session' ? String(LOCK_TIMEOUT_MS) : '0',
    });
  });

  it('answers 503 + Retry-After, not a hung request, when PATCH /orders/{id} meets a locked row', async () => {
    const created = await t.http
      .post('/orders')
      .set(auth())
      .send({ customer_id: 'c', amount: 1, currency: 'EUR' })
      .expect(201);
    const lock = await holdRowLock(t.db.url, 'SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [
      created.body.id,
    ]);
    try {
      const started = Date.now();
      const res = await t.http
        .patch(`/orders/${created.body.id}`)
        .set(auth())
        .send({ status: 'paid' });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('service_unavailable');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(LOCK_TIMEOUT_MS * 4);
    } finally {
      await lock.release();
    }
    await t.http
      .patch(`/orders/${created.body.id}`)
      .set(auth())
      .send({ status: 'paid' })
      .expect(200);
  });

  it('runs after-commit hooks after the commit only, and nothing of a rolled-back transaction', async () => {
    const seen: string[] = [];
    await db.transaction(async () => {
      await db.afterCommit(() => Promise.resolve(seen.push('committed')));
      expect(seen).toEqual([]);
    });
    await expect(
      db.transaction(async () => {
        await db.afterCommit(() => Promise.resolve(seen.push('rolled back')));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).toEqual(['committed']);
  });

  it('joins the caller’s transaction, and `outside` leaves it', async () => {
    const txid = () => db.rows<{ x: string }>('SELECT txid_current_if_assigned()::text AS x');
    await db.transaction(async () => {
      await db.rows('SELECT txid_current()');
      const [inner] = await db.transaction(txid);
      expect(inner.x).not.toBeNull();
      // A pool of one connection is held by this transaction: `outside` would wait for it, so
      // only check that it is no longer in a transaction.
      expect(await db.outside(() => Promise.resolve(db.inTransaction))).toBe(false);
      expect(db.inTransaction).toBe(true);
    });
  });
});

describe('typeormPool', () => {
  it(`finds the pg Pool of TypeORM ${TYPEORM_POOL_ADAPTER_VERSION} (pinned: an upgrade must re-check it)`, async () => {
    const pkg = join(ROOT, 'node_modules', 'typeorm', 'package.json');
    const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as { version: string };
    expect(version).toBe(TYPEORM_POOL_ADAPTER_VERSION);
    const ds = new DataSource({
      type: 'postgres',
      url: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    });
    expect(() => typeormPool(ds)).toThrow(/driver\.master/);
    await ds.initialize();
    try {
      const pool = typeormPool(ds);
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await ds.destroy();
    }
  });
});
