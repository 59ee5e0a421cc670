// The local Postgres as a bench uses it: an admin connection that creates and drops the bench's
// own database, and short-lived clients on it.
import { createRequire } from 'node:module';

const { Client } = createRequire(import.meta.url)('pg');

/** Admin connection (any database of the server): BENCH_PG_ADMIN_URL. */
export const PG_ADMIN =
  process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the server of `admin`. */
export function dbUrl(name, admin = PG_ADMIN) {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `fn(client)` on a connection of its own, closed afterwards. */
export async function withClient(url, fn) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** One statement on the admin connection. */
export const adminQuery = (sql, admin = PG_ADMIN) => withClient(admin, (c) => c.query(sql));

/** A connected client on database `name` (the caller ends it). */
export async function connect(name, admin = PG_ADMIN) {
  const c = new Client({ connectionString: dbUrl(name, admin) });
  await c.connect();
  return c;
}

export const dropDatabase = (name, admin = PG_ADMIN) =>
  adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, admin);

/** Database `name`, dropped first if it exists; returns the server's version. */
export async function freshDatabase(name, admin = PG_ADMIN) {
  return withClient(admin, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
    return (await c.query('SHOW server_version')).rows[0].server_version;
  });
}
