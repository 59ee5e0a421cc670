import Redis from 'ioredis';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { DOCUMENTED_PAIRS } from './openapi-validator';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where each e2e test file leaves its OpenAPI response counts (test/support/openapi-setup.ts). */
    openapiCoverageDir: string;
  }
}

/** Fails the e2e run early and clearly when the real Postgres or Redis is not there. */
export default async function setup(project: TestProject): Promise<() => void> {
  const admin = new Client({
    connectionString: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  });
  try {
    await admin.connect();
    await admin.query('SELECT 1');
  } catch (e) {
    throw new Error(`e2e tests need PostgreSQL (TEST_DATABASE_URL): ${(e as Error).message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    throw new Error(`e2e tests need Redis (REDIS_URL): ${(e as Error).message}`);
  } finally {
    redis.disconnect();
  }
  const coverageDir = mkdtempSync(join(tmpdir(), 'openapi-coverage-'));
  project.provide('openapiCoverageDir', coverageDir);
  return () => reportOpenApiCoverage(coverageDir);
}

interface Counts {
  validated: number;
  outside: number;
  allowed: number;
  mismatches: number;
  reached: Record<string, number>;
}

/** One line for the run: how many responses were checked against openapi.json, and what they reached. */
function reportOpenApiCoverage(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length === 0) return rmSync(dir, { recursive: true, force: true });
  const total: Counts = { validated: 0, outside: 0, allowed: 0, mismatches: 0, reached: {} };
  for (const file of files) {
    const c = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Counts;
    total.validated += c.validated;
    total.outside += c.outside;
    total.allowed += c.allowed;
    total.mismatches += c.mismatches;
    for (const [pair, n] of Object.entries(c.reached)) {
      total.reached[pair] = (total.reached[pair] ?? 0) + n;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const reached = DOCUMENTED_PAIRS.filter((p) => total.reached[p]);
  const unreached = DOCUMENTED_PAIRS.filter((p) => !total.reached[p]);
  console.log(
    `OpenAPI: ${total.validated} responses validated against openapi.json, ${total.mismatches} mismatches; ` +
      `${reached.length}/${DOCUMENTED_PAIRS.length} documented (operation, status) pairs reached; ` +
      `${total.outside} responses were for routes served outside the document (/docs, /metrics, ` +
      `/admin/queues), ${total.allowed} for undocumented requests that tests sent on purpose.` +
      (unreached.length ? `\n  not reached: ${unreached.join(', ')}` : ''),
  );
}
