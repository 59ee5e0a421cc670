#!/usr/bin/env node
// Bulk-jobs bench (storage v2): the service against the raw SQL limit, before (item-per-row storage,
// BENCH_BEFORE_REF) and after (this checkout), in one run.
//
//   npm run bench -- bulk          (or: node bench/bulk/index.mjs)
//
// Phases: the limit (server-side and client-driven, same schema); update_orders_status of BENCH_N
// items POST → completed (JSON, NDJSON, JSON; workers in the API and in a separate process);
// accept latency of a 10k-item JSON job with idle workers; a 1M-line NDJSON upload (accept time,
// rows written, memory) with GET /orders/{id} p99 and 10k accepts while it runs; a profile of one
// chunk. Writes bench/bulk/results.json and bench/bulk/REPORT.md.
import { machineInfo } from '../_lib/machine.mjs';
import { connect, dropDatabase, freshDatabase } from '../_lib/pg.mjs';
import { saveResults } from '../_lib/report.mjs';
import { runBench } from '../_lib/run-bench.mjs';
import { bulkQueue, measureAcceptIdle } from './accept.mjs';
import { measureBig, measureDedupeUpload } from './big.mjs';
import { CFG, HERE, log } from './env.mjs';
import { measureLimit } from './limit.mjs';
import { profileChunks } from './profile.mjs';
import { writeReport } from './report.mjs';
import { prepareBuild, startService } from './service.mjs';
import { measureThroughput } from './throughput.mjs';
import { measureValidation } from './validation.mjs';

async function withService(build, db, opts, fn) {
  const svc = await startService(build, db, opts);
  try {
    return await fn(svc);
  } finally {
    await svc.stop();
  }
}

/** Per build label: its database and a connection to it. */
const pgs = {};

async function main() {
  const builds = [prepareBuild('after', null, CFG.skipBuild)];
  if (CFG.beforeRef) builds.unshift(prepareBuild('before', CFG.beforeRef, CFG.skipBuild));
  const result = {
    machine: machineInfo(),
    config: CFG,
    startedAt: new Date().toISOString(),
    builds: {},
  };
  for (const b of builds) {
    const db = `bench_bulk_${b.label}`;
    await freshDatabase(db);
    pgs[b.label] = { db };
    // Starting once applies the build's migrations.
    await withService(b, db, { tag: 'migrate' }, async () => undefined);
    pgs[b.label].pg = await connect(db);
    result.builds[b.label] = {};
  }
  const after = pgs.after;
  result.limit = CFG.phases.has('limit')
    ? await measureLimit(after.pg, CFG.n, CFG.reps)
    : { serverSide: [], clientDriven: [] };
  const save = () => saveResults(HERE, result);

  for (const b of builds.filter(() => CFG.phases.has('throughput'))) {
    const { db, pg } = pgs[b.label];
    const r = result.builds[b.label];
    r.throughputInApi = await withService(b, db, { tag: 'in' }, (svc) =>
      measureThroughput(svc, pg, CFG.n, CFG.reps, `ord_${b.label}_in_`),
    );
    if (b.label === 'after') {
      r.throughputSeparate = await withService(b, db, { tag: 'sep', separateWorkers: 1 }, (svc) =>
        measureThroughput(svc, pg, CFG.n, CFG.reps, `ord_${b.label}_sep_`),
      );
    }
    save();
  }
  for (const b of builds.filter(() => CFG.phases.has('big'))) {
    const { db, pg } = pgs[b.label];
    const r = result.builds[b.label];
    const ids = Array.from({ length: 5000 }, (_, i) => `ord_${b.label}_in_${i * 37}`);
    await withService(b, db, { tag: 'big' }, async (svc) => {
      r.acceptIdle = await measureAcceptIdle(svc, CFG.acceptItems, CFG.acceptPosts);
      const queue = bulkQueue(svc);
      r.dedupeUpload = await measureDedupeUpload(svc, queue);
      await queue.close();
      r.bigInApi = await measureBig(svc, pg, ids);
    });
    if (b.label === 'after') {
      r.bigSeparate = await withService(b, db, { tag: 'bigsep', separateWorkers: 1 }, (svc) =>
        measureBig(svc, pg, ids, { accepts: false }),
      );
    }
    save();
  }
  if (CFG.phases.has('profile')) {
    const { db, pg } = pgs.after;
    result.builds.after.profile = await profileChunks(builds.at(-1), pg, db, CFG.n);
    result.builds.after.validation = measureValidation(builds.at(-1));
  }
  result.finishedAt = new Date().toISOString();
  save();
  writeReport(result);
  for (const { pg } of Object.values(pgs)) await pg.end();
  log('done: bench/bulk/REPORT.md');
}

// The databases go at the end, also after a failure (they hold millions of rows).
runBench(main, {
  cleanup: () => Promise.all(Object.values(pgs).map(({ db }) => dropDatabase(db))),
});
