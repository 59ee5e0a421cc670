// Settings, paths and small helpers shared by the bulk bench's modules.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { num } from '../_lib/env.mjs';

export const require = createRequire(import.meta.url);
export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(dirname(HERE));
export const WORK = join(HERE, '.work');


/** Knobs (env): every size and repetition of the run. */
export const CFG = {
  n: num('BENCH_N', 200_000),
  bigN: num('BENCH_BIG_N', 1_000_000),
  acceptItems: num('BENCH_ACCEPT_ITEMS', 10_000),
  acceptPosts: num('BENCH_ACCEPT_POSTS', 21),
  reps: num('BENCH_REPS', 3),
  acDuration: num('BENCH_AC_DURATION', 8),
  acConnections: num('BENCH_AC_CONNECTIONS', 10),
  /** The build measured as "before" (the item-per-row storage); empty to skip it. */
  beforeRef: process.env.BENCH_BEFORE_REF ?? 'f1a944e',
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
  /** Phases to run (comma-separated): limit, throughput, big, profile. */
  phases: new Set((process.env.BENCH_PHASES ?? 'limit,throughput,big,profile').split(',')),
};

export const PG_ADMIN =
  process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TENANT = 'bench';
export const AUTH = 'Bearer bench-key';
export const CHUNK = 1000;
/** Node flags the service is deployed with (Dockerfile NODE_OPTIONS, `npm start`): measured as run. */
export const SERVICE_NODE_ARGS = ['--max-semi-space-size=64'];

export const dbUrl = (name) => PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);

const T0 = Date.now();
export const log = (...a) =>
  console.log(`[bulk ${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s]`, ...a);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const round = (x, d = 1) =>
  x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d;
export const ratio = (a, b) => (a && b ? round(a / b, 2) : null);
