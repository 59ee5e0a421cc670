// Settings of the soak bench (env knobs) and its small shared helpers.
import { benchDir, flag, knobs, logger } from '../_lib/env.mjs';
import { roundTo } from '../_lib/stats.mjs';

export { sleep } from '../_lib/env.mjs';
export const { HERE } = benchDir(import.meta.url);

export const CFG = {
  /**
   * Seconds of traffic (the lead's reference run is the 10-minute default); seconds between samples
   * of RSS, Postgres connections and requests/s; seconds unfinished jobs may take after the traffic
   * stops before the run fails.
   */
  ...knobs('SOAK', { seconds: 600, sampleSeconds: 5, drainSeconds: 600 }),
  /** Concurrent loops per kind of traffic. */
  ...knobs('SOAK', { orderLoops: 2, listLoops: 2, getLoops: 2 }),
  /** A bulk job about every `bulkEveryMs`, at most `bulkInFlight` unfinished at once. */
  ...knobs('SOAK', { bulkEveryMs: 4000, bulkInFlight: 3, bulkMaxItems: 50_000 }),
  /** Separate worker processes (0 = workers inside the API process); the seed of sizes and choices. */
  ...knobs('SOAK', { workers: 1, seed: 13 }),
  skipBuild: flag('BENCH_SKIP_BUILD'),
};

export const DB_NAME = `bench_soak_${process.pid}`;

export const log = logger('soak');
export const round = (x, d = 1) => roundTo(x, d);

/** mulberry32: small seeded PRNG so two runs submit the same job sizes. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
