#!/usr/bin/env node
// Fairness bench: a one-item job of one tenant submitted while another tenant's 1,000,000-item job
// runs (time to `completed`), and the big job's throughput alone and with those small jobs, for the
// build before fair scheduling (FIFO chunks, FAIR_BEFORE_REF) and this checkout, in one run.
//
//   npm run bench -- fairness        (FAIR_BIG_N, FAIR_REPS, FAIR_SMALL_JOBS override the defaults)
//
// Both services are up at once (own database, own Bull prefix, `npm start` defaults: workers in the
// API, WORKER_CONCURRENCY 2); their runs alternate so drift in the machine's load touches both alike.
// The tables are emptied between runs. Writes bench/fairness/results.json and REPORT.md.
import { machineInfo } from '../_lib/machine.mjs';
import { connect, dropDatabase, freshDatabase } from '../_lib/pg.mjs';
import { loadResults, saveResults } from '../_lib/report.mjs';
import { runBench } from '../_lib/run-bench.mjs';
import { median } from '../_lib/stats.mjs';
import { log } from '../bulk/env.mjs';
import { prepareBuild, startService } from '../bulk/service.mjs';
import { CFG, HERE } from './env.mjs';
import { writeReport } from './report.mjs';
import { bigJobRun } from './scenario.mjs';

const EMPTY = `TRUNCATE orders, bulk_jobs, bulk_job_chunks, bulk_job_failures, events CASCADE`;

const sides = [];

async function main() {
  const builds = [prepareBuild('after', null, CFG.skipBuild)];
  if (CFG.beforeRef) builds.unshift(prepareBuild('fifo', CFG.beforeRef, CFG.skipBuild));
  for (const build of builds) {
    const db = `bench_fair_${build.label}`;
    await freshDatabase(db);
    const svc = await startService(build, db, { tag: 'fair' });
    sides.push({ build, db, svc, pg: await connect(db), lone: [], mixed: [] });
  }
  const run = async (side, smallJobs, r) => {
    const result = await bigJobRun(side.svc, CFG.bigN, {
      smallJobs,
      smallEveryMs: CFG.smallEveryMs,
      tag: `${side.build.label}_${r}`,
    });
    await side.pg.query(EMPTY);
    return result;
  };
  try {
    for (let r = 0; CFG.phases.has('lone') && r < CFG.reps; r++) {
      for (const side of r % 2 ? [...sides].reverse() : sides)
        side.lone.push(await run(side, 0, r));
    }
    for (let r = 0; CFG.phases.has('mixed') && r < CFG.reps; r++) {
      for (const side of r % 2 ? [...sides].reverse() : sides) {
        // Before fair scheduling a small job waits for the whole big job: one run shows it.
        if (side.build.label === 'fifo' && r > 0) continue;
        side.mixed.push(await run(side, CFG.smallJobs, r));
      }
    }
  } finally {
    for (const side of sides) {
      await side.pg.end();
      await side.svc.stop();
    }
  }
  const summary = Object.fromEntries(
    sides.map((s) => [
      s.build.label,
      {
        loneItemsPerS: median(s.lone.map((x) => x.perS)),
        mixedItemsPerS: median(s.mixed.map((x) => x.perS)),
        smallMsMedian: median(s.mixed.flatMap((x) => x.smallMs)),
        smallMsMax: Math.max(0, ...s.mixed.flatMap((x) => x.smallMs)),
      },
    ]),
  );
  const results = {
    machine: machineInfo(),
    config: CFG,
    runs: Object.fromEntries(sides.map((s) => [s.build.label, { lone: s.lone, mixed: s.mixed }])),
    summary,
  };
  saveResults(HERE, results);
  writeReport(results, HERE);
  log(`wrote bench/fairness/REPORT.md: ${JSON.stringify(summary)}`);
}

runBench(main, {
  reportOnly: () => writeReport(loadResults(HERE), HERE),
  cleanup: () => Promise.all(sides.map(({ db }) => dropDatabase(db))),
});
