// Settings of the pooler bench. Imported first by index.mjs: it names the bench's database before
// bench/requests/env.mjs (whose servers and cases this bench reuses) reads BENCH_DB.
import { benchDir, knobs, list } from '../_lib/env.mjs';

process.env.BENCH_DB ??= 'bench_pooler';

export const { HERE, WORK } = benchDir(import.meta.url);

/**
 * Knobs (env) of this bench; the request cases' load shape (BENCH_CONNECTIONS, BENCH_DURATION,
 * BENCH_WARMUP, BENCH_REPS, BENCH_SEED_ORDERS) is bench/requests' CFG.
 */
export const POOLER_CFG = {
  /** PgBouncer default_pool_size (the service's DB_POOL_SIZE default); items of each bulk job. */
  ...knobs('BENCH', { poolSize: 20, bulkN: 100_000 }),
  /** Request cases (ids of bench/requests' CASES). */
  cases: list('BENCH_POOLER_CASES', 'post,get,fresh'),
  bulk: process.env.BENCH_POOLER_BULK !== '0',
  /** The database's own floor for GET's statement (pgbench direct prepared vs pooled simple). */
  floor: process.env.BENCH_POOLER_FLOOR !== '0',
};

/** Targets from the issue: pooled / direct throughput. */
export const TARGETS = { post: 0.8, get: 0.8, fresh: 0.8, bulk: 0.9 };
