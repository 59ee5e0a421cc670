// Settings, paths and small helpers shared by the bulk bench's modules.
import { benchDir, flag, knobs, list, logger } from '../_lib/env.mjs';
import { roundTo } from '../_lib/stats.mjs';

export { PG_ADMIN } from '../_lib/pg.mjs';
export { REDIS_URL } from '../_lib/redis.mjs';
export { ROOT, sleep } from '../_lib/env.mjs';
export const { HERE, WORK, require } = benchDir(import.meta.url);

/** Knobs (env): every size and repetition of the run. */
export const CFG = {
  /** Items of the throughput jobs and of the big upload; rounds. */
  ...knobs('BENCH', { n: 200_000, bigN: 1_000_000, reps: 3 }),
  /** Accept latency: items per job, POSTs; autocannon beside the big upload. */
  ...knobs('BENCH', { acceptItems: 10_000, acceptPosts: 21, acDuration: 8, acConnections: 10 }),
  /** The build measured as "before" (the item-per-row storage); empty to skip it. */
  beforeRef: process.env.BENCH_BEFORE_REF ?? 'f1a944e',
  skipBuild: flag('BENCH_SKIP_BUILD'),
  /** Phases to run (comma-separated): limit, throughput, big, profile. */
  phases: new Set(list('BENCH_PHASES', 'limit,throughput,big,profile')),
};

export const TENANT = 'bench';
export const AUTH = 'Bearer bench-key';
export const CHUNK = 1000;
/** Node flags the service is deployed with (Dockerfile NODE_OPTIONS, `npm start`): measured as run. */
export const SERVICE_NODE_ARGS = ['--max-semi-space-size=64'];

export const log = logger('bulk');
export const round = (x, d = 1) => roundTo(x, d);
export const ratio = (a, b) => (a && b ? round(a / b, 2) : null);
