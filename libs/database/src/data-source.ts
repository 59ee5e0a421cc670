import { validateEnv } from '@app/common';
import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/** One definition shared by the Nest app (TypeOrmModule) and the TypeORM migration CLI. */
export function dataSourceOptions(
  url: string,
  poolSize = 20,
  /** Server settings every connection of the pool starts with (`-c name=value …`). */
  sessionSettings?: Record<string, number>,
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    entities: [join(__dirname, '..', '..', '*', 'src', '**', '*.entity.{ts,js}')],
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'bulk-rest-service',
      options: sessionSettings
        ? Object.entries(sessionSettings)
            .map(([k, v]) => `-c ${k}=${v}`)
            .join(' ')
        : undefined,
    },
  };
}

/** The migration CLI's data source, from the same validated environment as the app. */
const env = validateEnv(process.env);
export default new DataSource(
  dataSourceOptions(
    env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    env.DB_POOL_SIZE,
  ),
);
