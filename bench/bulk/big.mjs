// A 1,000,000-line NDJSON create_orders upload: accept time, rows written to the job tables, the API's
// memory; then while it runs, GET /orders/{id} latency against idle, and 10k-item accepts.
import { performance } from 'node:perf_hooks';
import { rssMiB } from '../_lib/procfs.mjs';
import { summarize } from '../_lib/stats.mjs';
import { acceptRound, cancelAll } from './accept.mjs';
import { CFG, log, require, sleep, TENANT } from './env.mjs';
import { expectStatus, postNdjson, request, waitJob } from './service.mjs';

const autocannon = require('autocannon');

const JOB_TABLES = ['bulk_jobs', 'bulk_job_chunks', 'bulk_job_failures', 'bulk_job_items'];

/** Rows inserted so far into the job tables (and their TOAST tables), from the statistics views. */
async function rowsWritten(pg) {
  await pg.query(`SELECT pg_stat_clear_snapshot()`);
  const { rows } = await pg.query(
    `SELECT c.relname AS table, s.n_tup_ins::bigint AS rows,
            COALESCE((SELECT n_tup_ins FROM pg_stat_all_tables t WHERE t.relid = c.reltoastrelid), 0)::bigint AS toast
       FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = ANY($1)`,
    [JOB_TABLES],
  );
  return Object.fromEntries(
    rows.map((r) => [r.table, { rows: Number(r.rows), toast: Number(r.toast) }]),
  );
}

const delta = (a, b) =>
  Object.fromEntries(
    Object.keys(b).map((k) => [
      k,
      { rows: b[k].rows - (a[k]?.rows ?? 0), toast: b[k].toast - (a[k]?.toast ?? 0) },
    ]),
  );

/** GET /orders/{id} for random seeded ids: autocannon latency samples (ms). */
export function getLatency(svc, ids) {
  return new Promise((resolve, reject) => {
    const samples = [];
    const pick = () => `/orders/${ids[(Math.random() * ids.length) | 0]}`;
    const inst = autocannon(
      {
        url: svc.base,
        connections: CFG.acConnections,
        duration: CFG.acDuration,
        headers: { authorization: 'Bearer bench-key', accept: 'application/json' },
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: pick() }) }],
      },
      (err, r) =>
        err
          ? reject(err)
          : resolve({ ...summarize(samples), p99: percentile99(samples), non2xx: r.non2xx }),
    );
    inst.on('response', (_c, _s, _b, rt) => samples.push(rt));
  });
}

const percentile99 = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.99 * s.length) - 1)];
};

export async function measureBig(svc, pg, getIds, { accepts = true } = {}) {
  await sleep(2000);
  const idle = [];
  for (let i = 0; i < CFG.reps; i++) idle.push(await getLatency(svc, getIds));
  const before = await rowsWritten(pg);
  const rss0 = rssMiB(svc.api.pid);
  let rssMax = rss0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMiB(svc.api.pid) ?? 0)), 50);
  const t0 = performance.now();
  const res = await postNdjson(svc, 'create_orders', CFG.bigN, (i) => ({
    customer_id: `cus_big_${i}`,
    amount: i,
    currency: 'EUR',
  }));
  const acceptS = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const job = expectStatus(res, 202, 'POST 1M NDJSON');
  const written = delta(before, await rowsWritten(pg));
  log(
    `${svc.build.label}: 1M NDJSON accepted in ${acceptS.toFixed(2)} s; rows written ${JSON.stringify(written)}`,
  );
  const during = await getLatency(svc, getIds);
  let acceptDuring = null;
  if (accepts) {
    const { ms, ids } = await acceptRound(
      svc,
      CFG.acceptItems,
      Math.max(6, Math.round(CFG.acceptPosts / 2)),
    );
    acceptDuring = summarize(ms);
    await cancelAll(svc, ids);
  }
  const progress = (await request(svc, 'GET', `/bulk-jobs/${job.id}`)).json;
  const { job: done, at } = await waitJob(svc, job.id);
  const totalS = (at - t0) / 1000;
  const idleP99 = summarize(idle.map((x) => x.p99)).median;
  log(
    `${svc.build.label}: GET p99 idle ${idleP99.toFixed(1)} ms, during ${during.p99.toFixed(1)} ms; 1M job ${done.status} in ${totalS.toFixed(1)} s`,
  );
  return {
    acceptS,
    written,
    rssGrowthMiB: rssMax - rss0,
    idle: {
      p99: idleP99,
      p50: summarize(idle.map((x) => x.median)).median,
      runs: idle.map((x) => x.p99),
    },
    during: {
      p99: during.p99,
      p50: during.median,
      processedWhenMeasured: progress?.processed_items ?? null,
    },
    ratioP99: during.p99 / idleP99,
    acceptDuring,
    completedS: totalS,
    status: done.status,
    tenant: TENANT,
  };
}

/**
 * Memory of the duplicate check: a 1M-line update_orders_status upload (every line a distinct key) is
 * accepted with the queue paused and cancelled at once; the API's RSS is sampled while it streams in.
 */
export async function measureDedupeUpload(svc, queue) {
  await queue.pause();
  try {
    const rss0 = rssMiB(svc.api.pid);
    let rssMax = rss0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssMiB(svc.api.pid) ?? 0)), 50);
    const t0 = performance.now();
    const res = await postNdjson(svc, 'update_orders_status', CFG.bigN, (i) => ({
      id: `ord_dedupe_${i.toString(36).padStart(8, '0')}`,
      status: 'paid',
    }));
    const acceptS = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const job = expectStatus(res, 202, 'POST 1M update NDJSON');
    await request(svc, 'POST', `/bulk-jobs/${job.id}/cancel`);
    log(
      `${svc.build.label}: 1M keyed NDJSON accepted in ${acceptS.toFixed(2)} s, RSS +${(rssMax - rss0).toFixed(1)} MiB`,
    );
    return { acceptS, rssGrowthMiB: rssMax - rss0 };
  } finally {
    await queue.resume();
  }
}
