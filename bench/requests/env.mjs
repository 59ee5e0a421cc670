// Settings, paths and small helpers shared by the request-path bench's modules.
import { benchDir, flag, knobs, list, logger } from '../_lib/env.mjs';
import { dbUrl } from '../_lib/pg.mjs';
import { roundTo } from '../_lib/stats.mjs';

export { ROOT, sleep } from '../_lib/env.mjs';
export const { HERE, WORK, require } = benchDir(import.meta.url);

/** Knobs (env): load shape and repetitions. */
export const CFG = {
  /** autocannon: connections, seconds of warm-up and of each measured run; rounds. */
  ...knobs('BENCH', { connections: 20, warmup: 3, duration: 5, reps: 5 }),
  ...knobs('BENCH', { seedOrders: 10_000, profileSeconds: 8 }),
  skipBuild: flag('BENCH_SKIP_BUILD'),
  /** Cases to run (comma-separated ids, see CASES in index.mjs); all by default. */
  only: process.env.BENCH_CASES ? new Set(list('BENCH_CASES')) : null,
  profile: process.env.BENCH_PROFILE !== '0',
  /** Cases profiled after the rounds (comma-separated ids). */
  profileCases: list('BENCH_PROFILE_CASES', 'post,fresh,get,list'),
  /** A commit whose build runs alongside as `before`. */
  beforeRef: process.env.BENCH_BEFORE_REF ?? null,
};

export const DB_NAME = process.env.BENCH_DB ?? 'bench_requests';
export const DB_URL = dbUrl(DB_NAME);
export const TENANT = 'bench';
export const API_KEY = 'bench-key';

export const log = logger('requests');
export const round = (x, d = 2) => roundTo(x, d);
