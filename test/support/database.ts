import { runMigrations } from '@app/database';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database per test file, so no test depends on another's data. */
export async function createTestDatabase(label = 'e2e'): Promise<TestDatabase> {
  const name =
    `t_${label.replace(/\W/g, '_').slice(0, 20)}_${randomBytes(5).toString('hex')}`.toLowerCase();
  await queryOnce(ADMIN_URL, `CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      queryOnce(ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined),
  };
}

export interface MigratedDatabase extends TestDatabase {
  /** A connection of the test's own (closed by `drop`). */
  pg: Client;
}

/** A fresh database with the service's migrations, for tests that start the built service on it. */
export async function createMigratedDatabase(label: string): Promise<MigratedDatabase> {
  const db = await createTestDatabase(label);
  await runMigrations(db.url);
  const pg = new Client({ connectionString: db.url });
  pg.on('error', () => undefined); // a test that ends backends must not fail through this one
  await pg.connect();
  return {
    ...db,
    pg,
    drop: async () => {
      await pg.end().catch(() => undefined);
      await db.drop();
    },
  };
}

/** One statement on a connection of its own (also for servers a test stops and starts at will). */
export async function queryOnce<T>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end().catch(() => undefined);
  }
}
