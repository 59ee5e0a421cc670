// Settings of the soak bench (env knobs) and its small shared helpers.
import { benchDir, flag, knobs, logger } from '../_lib/env.mjs';
import { roundTo } from '../_lib/stats.mjs';

export { sleep } from '../_lib/env.mjs';
export const { HERE } = benchDir(import.meta.url);

export const CFG = {
  ...knobs('SOAK', {
    /** Length of the traffic phase; the lead's reference run is the 10-minute default. */
    seconds: 600,
    /** Seconds between samples of RSS, Postgres connections and requests/s. */
    sampleSeconds: 5,
    /** Concurrent loops per kind of traffic. */
    orderLoops: 2,
    listLoops: 2,
    getLoops: 2,
    /** A bulk job is submitted about this often (ms), at most `bulkInFlight` unfinished at once. */
    bulkEveryMs: 4000,
    bulkInFlight: 3,
    bulkMaxItems: 50_000,
    /** Separate worker processes (0 = workers inside the API process). */
    workers: 1,
    /** After the traffic stops, how long unfinished jobs may take before the run fails. */
    drainSeconds: 600,
    /** Deterministic sizes and choices for a given seed. */
    seed: 13,
  }),
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
