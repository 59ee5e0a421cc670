#!/usr/bin/env node
// Soak benchmark (issue 13): minutes of mixed traffic against the built service; reports req/s,
// p50/p99 by route, 5xx, RSS and Postgres connections over time, and checks in SQL that every bulk item
// was applied exactly once. Not a CI test. `SOAK_SECONDS=30 node bench/soak/index.mjs` for a short run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo } from '../_lib/machine.mjs';
import { connect, dropDatabase, freshDatabase, PG_ADMIN } from '../_lib/pg.mjs';
import { runBench } from '../_lib/run-bench.mjs';
import { require } from '../bulk/env.mjs';
import { prepareBuild, startService } from '../bulk/service.mjs';
import { soakChart } from './chart.mjs';
import { CFG, DB_NAME, HERE, log, round, sleep } from './env.mjs';
import { createRecorder } from './recorder.mjs';
import { renderSoakReport } from './report.mjs';
import { startSampler } from './sampler.mjs';
import { createTraffic } from './traffic.mjs';
import { verify } from './verify.mjs';

const { Client } = require('pg');

async function main() {
  const machine = machineInfo({ loadavgAtStart: undefined });
  machine.loadavgAtStart = machine.loadavg;
  log(`soak for ${CFG.seconds} s on database ${DB_NAME}`);
  const build = prepareBuild('soak', null, CFG.skipBuild);
  await freshDatabase(DB_NAME);
  let svc;
  let pg;
  const admin = new Client({ connectionString: PG_ADMIN });
  try {
    svc = await startService(build, DB_NAME, {
      separateWorkers: CFG.workers,
      tag: 'soak',
      // Jobs, keys and writes of one tenant for minutes: the per-tenant guards stay out of the way.
      env: { RATE_LIMIT_PER_MINUTE: '100000000', TENANT_MAX_ACTIVE_JOBS: '1000' },
    });
    pg = await connect(DB_NAME);
    await admin.connect();
    const recorder = createRecorder();
    const traffic = createTraffic({ svc, pg, recorder });
    const sampler = startSampler({
      svc,
      admin,
      dbName: DB_NAME,
      recorder,
      everyMs: CFG.sampleSeconds * 1000,
    });
    const t0 = Date.now();
    const run = traffic.start();
    while (Date.now() - t0 < CFG.seconds * 1000) {
      await sleep(Math.min(10_000, CFG.seconds * 1000 - (Date.now() - t0)));
      log(`${recorder.total()} requests, ${traffic.state.jobs.length} bulk jobs so far`);
    }
    const requestsAtStop = recorder.total();
    const seconds = (Date.now() - t0) / 1000;
    await run.stop();
    const samples = await sampler.stop();
    log('traffic and jobs done; checking in SQL');
    const checks = await verify(pg, traffic.state);
    const routes = recorder.summary();
    const sum = (k) => Object.values(routes).reduce((a, r) => a + r[k], 0);
    const results = {
      // A shortened run is said so in every file it writes, so it is never read as the reference soak.
      run:
        CFG.seconds < 600 ? `short validation run (SOAK_SECONDS=${CFG.seconds})` : 'reference soak',
      machine,
      config: CFG,
      summary: {
        seconds: round(seconds, 1),
        requests: requestsAtStop,
        rps: round(requestsAtStop / seconds, 1),
        s5xx: sum('s5xx'),
        s503: sum('s503'),
        networkErrors: sum('networkErrors'),
      },
      routes,
      samples,
      bulkRejected: traffic.state.bulkRejected,
      loopErrors: traffic.state.loopErrors,
      verify: checks,
    };
    writeFileSync(join(HERE, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    mkdirSync(join(HERE, '..', 'charts'), { recursive: true });
    writeFileSync(join(HERE, '..', 'charts', 'soak.svg'), soakChart(samples));
    writeFileSync(join(HERE, 'REPORT.md'), renderSoakReport(results));
    log(
      `${results.summary.rps} req/s, 5xx ${results.summary.s5xx}, 503 ${results.summary.s503}; jobs ${checks.jobsCompleted}/${checks.jobsSubmitted} completed; items exactly once ${checks.itemsCheckedExactlyOnce}/${checks.itemsSubmitted}; keyed ${checks.keyed.keys} → ${checks.keyed.ordersInDb}`,
    );
    log('wrote bench/soak/results.json, bench/soak/REPORT.md, bench/charts/soak.svg');
    const ok = results.summary.s5xx === 0 && checks.allJobsExactlyOnce && checks.keyed.exactlyOnce;
    if (!ok) process.exitCode = 1;
  } finally {
    await pg?.end().catch(() => {});
    await admin.end().catch(() => {});
    await svc?.stop();
  }
}

// Also when interrupted: no database is left behind (it can hold a million rows).
runBench(main, { cleanup: () => dropDatabase(DB_NAME) });
