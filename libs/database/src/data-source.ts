import { validateEnv } from '@app/common';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

/**
 * The migration CLI's data source (`typeorm -d dist/libs/database/src/data-source.js`), from the same
 * options and the same validated environment as the app. The app never imports this file: it reads
 * its configuration once, at start, through the config module.
 */
const env = validateEnv(process.env);
export default new DataSource(
  dataSourceOptions(
    env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    env.DB_POOL_SIZE,
  ),
);
