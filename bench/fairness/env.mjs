// Settings of the fairness bench (env overrides).
import { benchDir, flag, knobs, list } from '../_lib/env.mjs';

export const { HERE } = benchDir(import.meta.url);

export const CFG = {
  /** Items of the big job (tenant `bench`, create_orders, NDJSON); lone runs per build, alternating. */
  ...knobs('FAIR', { bigN: 1_000_000, reps: 3 }),
  /** One-item jobs of tenant `fresh` submitted during each big job, this far apart. */
  ...knobs('FAIR', { smallJobs: 5, smallEveryMs: 3000 }),
  /** The build before fair scheduling (FIFO queue of chunks); empty to skip it. */
  beforeRef: process.env.FAIR_BEFORE_REF ?? '1c8c8ef',
  skipBuild: flag('BENCH_SKIP_BUILD'),
  /** Phases to run (comma-separated): lone, mixed. */
  phases: new Set(list('FAIR_PHASES', 'lone,mixed')),
};
