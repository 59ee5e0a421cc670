import { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** The TypeORM version whose PostgresDriver this adapter was written against (see its spec). */
export const TYPEORM_POOL_ADAPTER_VERSION = '1.1.1';

/**
 * The `pg` pool behind TypeORM's DataSource: one pool per process serves TypeORM and every
 * repository. TypeORM's PostgresDriver declares it as its public `master` property; this is the one
 * place that knows so.
 */
export function typeormPool(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as { master?: unknown }).master;
  if (!(pool instanceof Pool)) {
    throw new Error(
      `TypeORM's Postgres driver has no pg Pool as driver.master (written for typeorm ${TYPEORM_POOL_ADAPTER_VERSION}); is the DataSource initialized?`,
    );
  }
  return pool;
}
