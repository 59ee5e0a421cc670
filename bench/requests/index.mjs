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
// measured seconds apart) and their median reported, for throughput and for requests per CPU-ms (app
// + its Postgres backends). With BENCH_BEFORE_REF=<commit> that commit's build runs alongside
// as `before` (built once in a worktree under .work/), so before and after see the same machine.
// Then CPU profiles of each build under the BENCH_PROFILE_CASES cases. Writes
// results.json and REPORT.md next to this file; stops the processes, drops the database.
//
// Knobs (env): BENCH_CONNECTIONS=20 BENCH_DURATION=5 BENCH_WARMUP=3 BENCH_REPS=5 BENCH_SEED_ORDERS=10000
// BENCH_PROFILE_SECONDS=8 BENCH_PROFILE=0 (skip profiles) BENCH_PROFILE_CASES=post,fresh,get,list BENCH_SKIP_BUILD=1 BENCH_CASES=post,fresh
// BENCH_BEFORE_REF=<commit>. `--report-only` re-renders REPORT.md from results.json.
import { randomBytes } from 'node:crypto';
import { median } from '../_lib/stats.mjs';
import { machineInfo } from '../_lib/machine.mjs';
import { CFG, HERE, log, round } from './env.mjs';
import { CASES, runCase } from './load.mjs';
import { profileCase } from './profile.mjs';
import { writeReport } from './report.mjs';
import {
  finishRun,
  freshDatabase,
  prepareDist,
  runServersBench,
  startBare,
  startOurs,
} from './servers.mjs';

/** Per-round ratio a/b of a metric, and the median of those. */
function paired(runs, a, b, metric) {
  const xs = (runs[a] ?? []).map((r, i) => {
    const o = runs[b]?.[i];
    return r && o ? metric(r) / metric(o) : NaN;
  });
  return { perRound: xs.map((x) => round(x)), median: round(median(xs.filter(Number.isFinite))) };
}
const rps = (r) => r.rps;
/** Requests per CPU-millisecond (app + its Postgres backends): throughput a free machine would see. */
const perCpu = (r) => 1 / ((r.appCpuMsPerReq ?? NaN) + (r.pgCpuMsPerReq ?? NaN));

function summarize(runs, builds) {
  const med = (id) => {
    const rs = (runs[id] ?? []).filter(Boolean);
    if (!rs.length) return null;
    const m = (k) => round(median(rs.map((r) => r[k]).filter((x) => x !== null)), 3);
    return {
      rps: round(m('rps'), 0),
      p99: m('p99'),
      appCpuMsPerReq: m('appCpuMsPerReq'),
      pgCpuMsPerReq: m('pgCpuMsPerReq'),
      failures: rs.reduce((a, r) => a + r.non2xx + r.errors, 0),
    };
  };
  const out = { cases: {}, ratios: {} };
  for (const id of Object.keys(runs)) out.cases[id] = med(id);
  for (const b of builds) {
    const r = {};
    const pair = (name, x, y) => {
      if (runs[x] && runs[y])
        r[name] = { rps: paired(runs, x, y, rps), cpu: paired(runs, x, y, perCpu) };
    };
    for (const c of ['post', 'get', 'list']) pair(`${c}: ours / bare`, `${c}.${b}`, `${c}.bare`);
    pair('fresh key / no key', `fresh.${b}`, `post.${b}`);
    pair('replay / fresh', `replay.${b}`, `fresh.${b}`);
    out.ratios[b] = r;
  }
  return out;
}

const prefix = `benchreq_${randomBytes(4).toString('hex')}`;

async function main() {
  const result = {
    machine: machineInfo(),
    config: { ...CFG, only: CFG.only && [...CFG.only] },
    startedAt: new Date().toISOString(),
  };
  const builds = [prepareDist('after', null, CFG.skipBuild)];
  if (CFG.beforeRef) builds.push(prepareDist('before', CFG.beforeRef, true));
  result.builds = builds.map(({ label, commit }) => ({ label, commit }));
  const { pool, postgres } = await freshDatabase(builds[0], CFG.seedOrders);
  result.postgres = postgres;
  const servers = { bare: await startBare() };
  for (const b of builds) servers[b.label] = await startOurs(b, prefix);
  for (const [k, s] of Object.entries(servers)) log(`${k}: ${s.base} (pid ${s.handle.pid})`);
  try {
    const replayKey = `replay-${prefix}`;
    for (const b of builds) {
      const prime = await fetch(`${servers[b.label].base}/orders`, {
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
    }
    const cases = CASES.filter((c) => !CFG.only || CFG.only.has(c.id)).map((c) => ({
      ...c,
      replayKey,
    }));
    const runs = {};
    for (let rep = 1; rep <= CFG.reps; rep++) {
      const order = rep % 2 ? cases : [...cases].reverse();
      for (const c of order) {
        const sides = [...builds.map((b) => b.label), ...(c.bare ? ['bare'] : [])];
        // Each side goes first in turn, so that none always follows the same neighbour.
        for (let i = 0; i < (rep - 1) % sides.length; i++) sides.push(sides.shift());
        for (const side of sides) {
          (runs[`${c.id}.${side}`] ??= []).push(
            await runCase(pool, servers[side], c, side === 'bare' ? 'bare' : 'ours', side),
          );
        }
      }
    }
    result.runs = runs;
    result.summary = summarize(
      runs,
      builds.map((b) => b.label),
    );
    for (const [b, rs] of Object.entries(result.summary.ratios))
      for (const [k, v] of Object.entries(rs))
        log(
          `${b} ${k}: throughput ${v.rps.median} (rounds ${v.rps.perRound.join(', ')}); per CPU ${v.cpu.median}`,
        );
  } finally {
    for (const s of Object.values(servers)) await s.stop();
  }
  if (CFG.profile) {
    result.profiles = {};
    for (const b of builds) {
      result.profiles[b.label] = [];
      for (const id of CFG.profileCases)
        result.profiles[b.label].push(
          await profileCase(
            pool,
            b,
            prefix,
            CASES.find((x) => x.id === id),
          ),
        );
    }
  }
  await finishRun(HERE, result, pool, writeReport);
}

runServersBench(main, { prefix, writeReport });
