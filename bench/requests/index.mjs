#!/usr/bin/env node
// Request-path bench: the service's ordinary routes against a bare Nest app doing the same SQL, and the
// cost of an Idempotency-Key, side by side in one run.
//
//   npm run bench -- requests          (or: node bench/requests/index.mjs)
//
// One run: builds the API and copies the build aside; a fresh database `bench_requests` with the
// migrations and BENCH_SEED_ORDERS orders; the API (LOG_LEVEL=log, i.e. info, as in production, rate limiter
// on with a limit far above the load) and bench/requests/bare-app.mjs as processes; then BENCH_REPS
// rounds (case order reversed every other round) of autocannon at BENCH_CONNECTIONS connections for
// each case: POST /orders without a key (ours, bare), with a fresh key, replays of one key, GET
// /orders/{id} (ours, bare), GET /orders?limit=20 (ours, bare). Ratios are taken per round (both sides
// measured minutes apart at most) and their median reported. Then CPU profiles of the API under POST
// /orders without and with a fresh key. Writes results.json (or results-before.json with
// BENCH_LABEL=before) and REPORT.md next to this file; stops the processes, drops the database.
//
// Knobs (env): BENCH_CONNECTIONS=20 BENCH_DURATION=8 BENCH_WARMUP=2 BENCH_REPS=3 BENCH_SEED_ORDERS=10000
// BENCH_PROFILE_SECONDS=8 BENCH_PROFILE=0 (skip profiles) BENCH_SKIP_BUILD=1 BENCH_CASES=post,fresh
// BENCH_LABEL=before. `--report-only` re-renders REPORT.md from the results files.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../_lib/stats.mjs';
import { machineInfo } from '../_lib/machine.mjs';
import { killAllSync, stopAll } from '../_lib/proc.mjs';
import { CFG, HERE, log, round } from './env.mjs';
import { CASES, runCase } from './load.mjs';
import { profileCase } from './profile.mjs';
import { writeReport } from './report.mjs';
import {
  cleanRedis,
  dropDatabase,
  freshDatabase,
  prepareDist,
  startBare,
  startOurs,
} from './servers.mjs';

process.on('exit', killAllSync);

const LABEL = process.env.BENCH_LABEL ?? 'after';
const OUT = join(HERE, LABEL === 'after' ? 'results.json' : `results-${LABEL}.json`);

/** Per-round ratio a/b of a metric, and the median of those. */
function paired(runs, a, b, metric = 'rps') {
  const xs = (runs[a] ?? []).map((r, i) =>
    r && runs[b]?.[i] ? r[metric] / runs[b][i][metric] : NaN,
  );
  return { perRound: xs.map((x) => round(x)), median: round(median(xs.filter(Number.isFinite))) };
}

function summarize(runs) {
  const med = (id) => {
    const rs = (runs[id] ?? []).filter(Boolean);
    if (!rs.length) return null;
    const m = (k) => round(median(rs.map((r) => r[k]).filter((x) => x !== null)), 3);
    return {
      rps: round(m('rps'), 0),
      p99: m('p99'),
      appCpuMsPerReq: m('appCpuMsPerReq'),
      pgCpuMsPerReq: m('pgCpuMsPerReq'),
      non2xx: rs.reduce((a, r) => a + r.non2xx + r.errors, 0),
    };
  };
  const out = { cases: {}, ratios: {} };
  for (const id of Object.keys(runs)) out.cases[id] = med(id);
  for (const c of ['post', 'get', 'list'])
    if (runs[`${c}.ours`] && runs[`${c}.bare`])
      out.ratios[`${c}: ours / bare`] = paired(runs, `${c}.ours`, `${c}.bare`);
  if (runs['fresh.ours'] && runs['post.ours'])
    out.ratios['fresh key / no key'] = paired(runs, 'fresh.ours', 'post.ours');
  if (runs['replay.ours'] && runs['fresh.ours'])
    out.ratios['replay / fresh'] = paired(runs, 'replay.ours', 'fresh.ours');
  return out;
}

const prefix = `benchreq_${randomBytes(4).toString('hex')}`;

async function main() {
  const result = {
    label: LABEL,
    machine: machineInfo(),
    config: { ...CFG, only: CFG.only && [...CFG.only] },
    startedAt: new Date().toISOString(),
  };
  result.build = prepareDist(CFG.skipBuild);
  const { pool, postgres } = await freshDatabase(CFG.seedOrders);
  result.postgres = postgres;
  const servers = { ours: await startOurs(prefix), bare: await startBare() };
  log(
    `ours ${servers.ours.base} (pid ${servers.ours.handle.pid}), bare ${servers.bare.base} (pid ${servers.bare.handle.pid})`,
  );
  try {
    const replayKey = `replay-${prefix}`;
    const prime = await fetch(`${servers.ours.base}/orders`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer bench-key',
        'content-type': 'application/json',
        'idempotency-key': replayKey,
      },
      body: JSON.stringify({ customer_id: 'cus_bench', amount: 1999, currency: 'EUR' }),
    });
    if (prime.status !== 201)
      throw new Error(`priming the replay key answered ${prime.status}: ${await prime.text()}`);
    const cases = CASES.filter((c) => !CFG.only || CFG.only.has(c.id)).map((c) => ({
      ...c,
      replayKey,
    }));
    const runs = {};
    for (let rep = 1; rep <= CFG.reps; rep++) {
      const order = rep % 2 ? cases : [...cases].reverse();
      for (const c of order) {
        const sides = ['ours', ...(c.bare ? ['bare'] : [])];
        if (rep % 2 === 0) sides.reverse();
        for (const side of sides)
          (runs[`${c.id}.${side}`] ??= []).push(await runCase(pool, servers[side], c, side));
      }
    }
    result.runs = runs;
    result.summary = summarize(runs);
    for (const [k, v] of Object.entries(result.summary.ratios))
      log(`${k}: ${v.median} (rounds ${v.perRound.join(', ')})`);
  } finally {
    await servers.ours.stop();
    await servers.bare.stop();
  }
  if (CFG.profile) {
    result.profiles = [];
    for (const id of ['post', 'fresh']) {
      const c = CASES.find((x) => x.id === id);
      result.profiles.push(await profileCase(pool, prefix, c));
    }
  }
  result.finishedAt = new Date().toISOString();
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  await pool.end();
  writeReport();
  log(`wrote ${OUT} and REPORT.md`);
}

if (process.argv.includes('--report-only')) {
  writeReport();
} else {
  main()
    .catch((e) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(async () => {
      await stopAll();
      await dropDatabase().catch(() => undefined);
      await cleanRedis(prefix).catch(() => undefined);
    });
}
