import 'reflect-metadata';
import { validateEnv } from '@app/common';
import { runMigrations } from '@app/database';
import { configureHttpApp } from '@app/runtime';
import { Logger, type INestApplication, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { AppModule } from '../../apps/api/src/app.module';
import { createTestDatabase, type TestDatabase } from './database';
import { openApiResponseRecorder } from './openapi-validator';

export const TENANTS = { acme: 'key_acme', globex: 'key_globex', initech: 'key_initech' } as const;
export type TenantName = keyof typeof TENANTS;
export const auth = (tenant: keyof typeof TENANTS = 'acme') => ({
  Authorization: `Bearer ${TENANTS[tenant]}`,
});

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  db: TestDatabase;
  /** A connection of the test's own to the app's database, for setup and for checks in SQL. */
  pg: Client;
  close(): Promise<void>;
}

/**
 * The real AppModule against a database of its own on the machine's Postgres and a private Bull
 * prefix on the machine's Redis.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  extraImports: Type[] = [],
  existingDb?: TestDatabase,
): Promise<TestApp> {
  const db = existingDb ?? (await createTestDatabase(env.TEST_LABEL ?? 'e2e'));
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    API_KEYS: Object.entries(TENANTS)
      .map(([t, k]) => `${t}:${k}`)
      .join(','),
    BULL_PREFIX: `test_${randomBytes(4).toString('hex')}`,
    CURSOR_SECRET: 'test-cursor-secret',
    LOG_LEVEL: 'error',
    // Each app decides for itself: an earlier app's RUN_WORKERS=false must not carry over.
    RUN_WORKERS: 'true',
    ...env,
  });
  Logger.overrideLogger(['error', 'warn']);
  await runMigrations(db.url);
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.register({ runWorkers: validateEnv(process.env).RUN_WORKERS }),
      ...extraImports,
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error', 'warn'] });
  // Before anything else, so that even answers from body parsers and guards are checked.
  app.use(openApiResponseRecorder());
  configureHttpApp(app);
  await app.init();
  const pg = new Client({ connectionString: db.url });
  // A test that ends the database's backends (outages) must not fail the run through this one.
  pg.on('error', () => undefined);
  await pg.connect();
  return {
    app,
    http: request(app.getHttpServer()),
    db,
    pg,
    close: async () => {
      await pg.end().catch(() => undefined);
      await app.close();
      if (!existingDb) await db.drop();
    },
  };
}
