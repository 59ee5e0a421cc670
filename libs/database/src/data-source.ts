import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/** One definition shared by the Nest app (TypeOrmModule) and the TypeORM migration CLI. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    entities: [join(__dirname, '..', '..', '*', 'src', '**', '*.entity.{ts,js}')],
    extra: {
      max: Number(process.env.DB_POOL_SIZE ?? 20),
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'bulk-rest-service',
    },
  };
}

export default new DataSource(
  dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'),
);
