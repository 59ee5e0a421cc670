// Settings of the fairness bench (env overrides).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { num } from '../_lib/env.mjs';

export const HERE = dirname(fileURLToPath(import.meta.url));

export const CFG = {
  /** Items of the big job (tenant `bench`, create_orders, NDJSON). */
  bigN: num('FAIR_BIG_N', 1_000_000),
  /** Lone big-job runs per build, alternating builds. */
  reps: num('FAIR_REPS', 3),
  /** One-item jobs of tenant `fresh` submitted during each big job, this far apart. */
  smallJobs: num('FAIR_SMALL_JOBS', 5),
  smallEveryMs: num('FAIR_SMALL_EVERY_MS', 3000),
  /** The build before fair scheduling (FIFO queue of chunks); empty to skip it. */
  beforeRef: process.env.FAIR_BEFORE_REF ?? '1c8c8ef',
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
  /** Phases to run (comma-separated): lone, mixed. */
  phases: new Set((process.env.FAIR_PHASES ?? 'lone,mixed').split(',')),
};
