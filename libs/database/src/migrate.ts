import { Logger } from '@nestjs/common';
import { DataSource, MigrationExecutor } from 'typeorm';
import { ADVISORY_LOCKS } from './advisory-locks';
import { dataSourceOptions } from './data-source-options';
import { MIGRATIONS } from './migrations';

const logger = new Logger('Migrations');

/**
 * Applies pending migrations in one transaction that first takes a transaction-scoped advisory lock,
 * so several processes that start together migrate once and the others wait, then find nothing to
 * do. A transaction-scoped lock works the same on a direct connection and behind a transaction
 * pooler; a failed migration leaves the schema as it was.
 */
export async function runMigrations(
  url: string,
  migrations: readonly (typeof MIGRATIONS)[number][] = MIGRATIONS,
): Promise<string[]> {
  const ds = new DataSource({
    ...dataSourceOptions(url, 1),
    entities: [],
    migrations: [...migrations],
  });
  await ds.initialize();
  const runner = ds.createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.migrations]);
    const executor = new MigrationExecutor(ds, runner);
    executor.transaction = 'all';
    const applied = await executor.executePendingMigrations();
    await runner.commitTransaction();
    if (applied.length) logger.log(`Applied ${applied.map((m) => m.name).join(', ')}`);
    return applied.map((m) => m.name);
  } catch (e) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw e;
  } finally {
    await runner.release();
    await ds.destroy();
  }
}
