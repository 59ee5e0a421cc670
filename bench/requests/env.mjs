// Settings, paths and small helpers shared by the request-path bench's modules.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { num } from '../_lib/env.mjs';

export const require = createRequire(import.meta.url);
export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(dirname(HERE));
export const WORK = join(HERE, '.work');


/** Knobs (env): load shape and repetitions. */
export const CFG = {
  connections: num('BENCH_CONNECTIONS', 20),
  duration: num('BENCH_DURATION', 5),
  warmup: num('BENCH_WARMUP', 3),
  reps: num('BENCH_REPS', 5),
  seedOrders: num('BENCH_SEED_ORDERS', 10_000),
  profileSeconds: num('BENCH_PROFILE_SECONDS', 8),
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
  /** Cases to run (comma-separated ids, see CASES in index.mjs); all by default. */
  only: process.env.BENCH_CASES ? new Set(process.env.BENCH_CASES.split(',')) : null,
  profile: process.env.BENCH_PROFILE !== '0',
  /** Cases profiled after the rounds (comma-separated ids). */
  profileCases: (process.env.BENCH_PROFILE_CASES ?? 'post,fresh,get,list').split(','),
  /** A commit whose build runs alongside as `before`. */
  beforeRef: process.env.BENCH_BEFORE_REF ?? null,
};

export const PG_ADMIN =
  process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const DB_NAME = process.env.BENCH_DB ?? 'bench_requests';
export const DB_URL = PG_ADMIN.replace(/\/[^/]*$/, `/${DB_NAME}`);
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TENANT = 'bench';
export const API_KEY = 'bench-key';

const T0 = Date.now();
export const log = (...a) =>
  console.log(`[requests ${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s]`, ...a);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const round = (x, d = 2) =>
  x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d;
