import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
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
