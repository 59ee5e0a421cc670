// Where one chunk's time goes: the worker (a separate process, CPU-profiled) applies a 200k-item
// update_orders_status job while Postgres is sampled every 5 ms for what the worker's backends run.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuProfArgs, nowUs, readProfile, selfTimes } from '../_lib/cpuprofile.mjs';
import { CHUNK, log, WORK } from './env.mjs';
import { expectStatus, postJson, seedOrders, startService, waitJob } from './service.mjs';

const CATEGORIES = [
  ['class-validator / class-transformer', /node_modules\/class-(validator|transformer)/],
  ['pg driver', /node_modules\/pg(-protocol|-types)?\//],
  ['TypeORM', /node_modules\/typeorm/],
  ['CLS / transactions', /node_modules\/(nestjs-cls|@nestjs-cls)/],
  ['Bull / ioredis', /node_modules\/(bull|ioredis)/],
  ['service code', /dist\/libs\//],
];

/** Self time by category from a V8 profile, counting only samples between `fromUs` and `toUs`. */
function summarizeProfile(prof, fromUs, toUs) {
  const self = selfTimes(prof, fromUs, toUs);
  const byCat = new Map();
  const byFn = new Map();
  for (const n of prof.nodes) {
    const us = self.get(n.id) ?? 0;
    if (!us) continue;
    const { functionName, url } = n.callFrame;
    let cat = CATEGORIES.find(([, re]) => re.test(url))?.[0];
    if (!cat) {
      if (functionName === '(idle)') cat = 'idle (waiting for Postgres/Redis)';
      else if (functionName === '(garbage collector)') cat = 'garbage collection';
      else if (/^(parse|stringify)$/.test(functionName) && !url) cat = 'JSON parse/stringify';
      else cat = 'other (Node, Nest, runtime)';
    }
    byCat.set(cat, (byCat.get(cat) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*dist\//, '')}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  const top = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 12);
  return {
    byCat: Object.fromEntries(byCat),
    top,
    totalUs: [...byCat.values()].reduce((a, b) => a + b, 0),
  };
}

/** What the service's backends are busy with, sampled from pg_stat_activity. */
function startPgSampler(pg, dbName, everyMs = 5) {
  const counts = new Map();
  let samples = 0;
  let on = true;
  const kind = (q) =>
    /FOR UPDATE OF c/.test(q)
      ? 'claim chunk (SELECT … FOR UPDATE)'
      : /FROM orders WHERE id = ANY/.test(q)
        ? 'lock orders (SELECT … FOR UPDATE)'
        : /UPDATE orders o/.test(q)
          ? 'UPDATE orders'
          : /UPDATE bulk_job_chunks c/.test(q)
            ? 'record chunk outcome'
            : /INSERT INTO bulk_job_failures/.test(q)
              ? 'insert failures'
              : /UPDATE bulk_jobs j SET status/.test(q)
                ? 'finish check'
                : /^(COMMIT|BEGIN|START)/i.test(q.trim())
                  ? q.trim().split(/\s/)[0].toUpperCase()
                  : 'other';
  const loop = (async () => {
    while (on) {
      const { rows } = await pg.query(
        `SELECT query FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
        [dbName],
      );
      samples++;
      for (const r of rows) counts.set(kind(r.query), (counts.get(kind(r.query)) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return async () => {
    on = false;
    await loop;
    return { samples, counts: Object.fromEntries(counts) };
  };
}

export async function profileChunks(build, pg, dbName, n) {
  const dir = join(WORK, 'cpuprof');
  const svc = await startService(build, dbName, {
    separateWorkers: 1,
    tag: 'profile',
    workerArgs: cpuProfArgs(dir),
  });
  let wallS;
  let pgActivity;
  let fromUs;
  let toUs;
  try {
    await seedOrders(pg, 'ord_prof_', n, 'pending');
    const stop = startPgSampler(pg, dbName);
    fromUs = nowUs();
    const t0 = performance.now();
    const res = await postJson(svc, '/bulk-jobs', {
      operation: 'update_orders_status',
      items: Array.from({ length: n }, (_, i) => ({ id: `ord_prof_${i}`, status: 'paid' })),
    });
    const { at } = await waitJob(svc, expectStatus(res, 202, 'profile POST').id);
    toUs = nowUs();
    wallS = (at - t0) / 1000;
    pgActivity = await stop();
  } finally {
    await svc.stop();
  }
  const prof = summarizeProfile(readProfile(dir), fromUs, toUs);
  const chunks = n / CHUNK;
  const result = {
    chunks,
    wallMsPerChunk: (wallS * 1000) / chunks,
    workerMsPerChunk: Object.fromEntries(
      Object.entries(prof.byCat).map(([k, us]) => [k, us / 1000 / chunks]),
    ),
    topFunctions: prof.top.map(([k, us]) => [k, us / 1000 / chunks]),
    /** Postgres: backend-milliseconds per chunk spent in each statement (sampled). */
    pgMsPerChunk: Object.fromEntries(
      Object.entries(pgActivity.counts).map(([k, c]) => [
        k,
        ((c / pgActivity.samples) * wallS * 1000) / chunks,
      ]),
    ),
  };
  log(`profile: ${result.wallMsPerChunk.toFixed(1)} ms per chunk wall`);
  return result;
}
