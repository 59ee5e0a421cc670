import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source';
import { MIGRATIONS } from './migrations';

/** Arbitrary constant: one advisory lock id for "schema migrations of this service". */
const MIGRATION_LOCK_ID = 7_240_517_311;
const logger = new Logger('Migrations');

/**
 * Applies pending migrations while holding a session advisory lock, so several processes that start
 * together migrate once and the others wait, then find nothing to do.
 */
export async function runMigrations(
  url: string,
  migrations: readonly (typeof MIGRATIONS)[number][] = MIGRATIONS,
): Promise<string[]> {
  const lock = new Client({ connectionString: url });
  await lock.connect();
  const ds = new DataSource({
    ...dataSourceOptions(url),
    entities: [],
    migrations: [...migrations],
  });
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await ds.initialize();
    const applied = await ds.runMigrations({ transaction: 'each' });
    if (applied.length) logger.log(`Applied ${applied.map((m) => m.name).join(', ')}`);
    return applied.map((m) => m.name);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lock.end();
  }
}
