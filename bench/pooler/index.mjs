#!/usr/bin/env node
// Pooler bench: the same build on the same database, directly on Postgres and behind PgBouncer in
// transaction mode, side by side in one run.
//
//   npm run bench -- pooler          (or: node bench/pooler/index.mjs)
//
// Sides: `direct` (DATABASE_POOL_MODE=session, DATABASE_URL = Postgres) and `pooled`
// (DATABASE_POOL_MODE=transaction, DATABASE_URL = a private PgBouncer from bench/_lib/pgbouncer.mjs,
// pool_mode = transaction, default_pool_size = BENCH_POOL_SIZE (20, the service's DB_POOL_SIZE),
// DATABASE_DIRECT_URL = Postgres for migrations and LISTEN). One build, one database
// (`bench_pooler`, bench/requests' migrations and seed), one API process per side (workers off).
// BENCH_REPS rounds; in each:
//   - the request cases of bench/requests (post, get, fresh: its runCase, autocannon at
//     BENCH_CONNECTIONS), case order reversed and side order swapped every other round;
//   - update_orders_status of BENCH_BULK_N listed items, POST → `completed`, JSON in odd rounds and
//     NDJSON in even ones: the side's API is started with RUN_WORKERS=true for it and stopped after,
//     so only one worker set is ever alive (the fair scheduler would claim the other side's chunks);
//     the statuses of the seeded orders are reset (and the table vacuumed) before every job.
// Ratios pooled / direct are taken per round and their median reported (like bench/requests).
// Writes results.json and REPORT.md next to this file; stops every process, drops the database.
// `--report-only` re-renders REPORT.md from results.json.
import './env.mjs'; // first: names the database before bench/requests/env.mjs is read
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { machineInfo } from '../_lib/machine.mjs';
import { start as startPgBouncer } from '../_lib/pgbouncer.mjs';
import { median } from '../_lib/stats.mjs';
import { TRANSITIONS } from '../bulk/limit.mjs';
import { runStatusJob, seedOrders } from '../bulk/service.mjs';
import { SERVICE_NODE_ARGS } from '../bulk/env.mjs';
import { CFG, DB_NAME, DB_URL, log, round } from '../requests/env.mjs';
import { CASES, runCase } from '../requests/load.mjs';
import {
  cpuSnapshot,
  finishRun,
  freshDatabase,
  prepareDist,
  runServersBench,
  startOurs,
} from '../requests/servers.mjs';
import { HERE, POOLER_CFG, WORK } from './env.mjs';
import { measureFloor } from './floor.mjs';
import { writeReport } from './report.mjs';

const SIDES = ['direct', 'pooled'];
const BULK_PREFIX = 'ord_pool_';
const [FROM, TO] = TRANSITIONS[0];

/** Per-round ratio pooled / direct of a metric, and the median of those. */
function paired(runs, metric) {
  const xs = (runs.pooled ?? []).map((r, i) => {
    const o = runs.direct?.[i];
    return r && o ? metric(r) / metric(o) : NaN;
  });
  const ok = xs.filter(Number.isFinite);
  return {
    perRound: xs.map((x) => round(x, 3)),
    median: round(median(ok), 3),
    min: ok.length ? round(Math.min(...ok), 3) : null,
    max: ok.length ? round(Math.max(...ok), 3) : null,
  };
}
const rps = (r) => r.rps;
/** Requests per CPU-ms: app + its Postgres backends + PgBouncer (pooled side). */
const perCpu = (r) =>
  1 / ((r.appCpuMsPerReq ?? NaN) + (r.pgCpuMsPerReq ?? NaN) + (r.helperCpuMsPerReq ?? 0));
const perS = (r) => r.perS;
/** Items per CPU-ms of the job: API (workers) + Postgres backends + PgBouncer (pooled side). */
const itemsPerCpu = (r) =>
  1 / ((r.appCpuUsPerItem ?? NaN) + (r.pgCpuUsPerItem ?? NaN) + (r.helperCpuUsPerItem ?? 0));

function summarize(runs) {
  const out = { cases: {}, ratios: {} };
  for (const [id, bySide] of Object.entries(runs)) {
    out.cases[id] = {};
    for (const side of SIDES) {
      const rs = (bySide[side] ?? []).filter(Boolean);
      if (!rs.length) continue;
      const m = (k) => {
        const xs = rs.map((r) => r[k]).filter((x) => x !== null && x !== undefined);
        return xs.length ? round(median(xs), 3) : null;
      };
      out.cases[id][side] =
        id === 'bulk'
          ? {
              perS: round(m('perS'), 0),
              secs: m('secs'),
              serverSecs: m('serverSecs'),
              appCpuUsPerItem: m('appCpuUsPerItem'),
              pgCpuUsPerItem: m('pgCpuUsPerItem'),
              helperCpuUsPerItem: m('helperCpuUsPerItem'),
            }
          : {
              rps: round(m('rps'), 0),
              p99: m('p99'),
              appCpuMsPerReq: m('appCpuMsPerReq'),
              pgCpuMsPerReq: m('pgCpuMsPerReq'),
              helperCpuMsPerReq: m('helperCpuMsPerReq'),
              failures: rs.reduce((a, r) => a + r.non2xx + r.errors, 0),
            };
    }
    out.ratios[id] =
      id === 'bulk'
        ? { throughput: paired(bySide, perS), cpu: paired(bySide, itemsPerCpu) }
        : { throughput: paired(bySide, rps), cpu: paired(bySide, perCpu) };
  }
  return out;
}

/** Puts the seeded orders back in FROM (and vacuums), so that every job has rows to change. */
async function resetBulkOrders(pool) {
  await pool.query(`UPDATE orders SET status = $2 WHERE id LIKE $1 || '%' AND status <> $2`, [
    BULK_PREFIX,
    FROM,
  ]);
  await pool.query('VACUUM ANALYZE orders');
}

/**
 * CPU µs per item between two snapshots: the API process, its Postgres backends (those opened during
 * the job counted from their start: the process has just started) and the helpers (PgBouncer).
 */
function cpuPerItem(a, b, n) {
  let pg = 0;
  for (const [pid, v] of b.backends) pg += v - (a.backends.get(pid) ?? 0);
  const us = (ms) => (ms === null || Number.isNaN(ms) ? null : round((ms * 1000) / n, 2));
  return {
    appCpuUsPerItem: us(b.app - a.app),
    pgCpuUsPerItem: us(pg),
    helperCpuUsPerItem: a.helpers === null ? null : us(b.helpers - a.helpers),
  };
}

/** One update_orders_status job of `n` listed items on `svc` (its workers), POST → completed. */
async function runBulk(pool, svc, side, n, format) {
  await resetBulkOrders(pool);
  const cpu0 = await cpuSnapshot(pool, svc);
  const { job, secs, acceptMs } = await runStatusJob(svc, pool, {
    n,
    idPrefix: BULK_PREFIX,
    to: TO,
    format,
    what: `${side} ${format}`,
  });
  const cpu = cpuPerItem(cpu0, await cpuSnapshot(pool, svc), n);
  // The job's own clock: accepted (created_at) → completed_at, without the client's polling.
  const serverSecs =
    job.created_at && job.completed_at
      ? (Date.parse(job.completed_at) - Date.parse(job.created_at)) / 1000
      : null;
  const r = {
    format,
    perS: n / secs,
    secs: round(secs, 3),
    acceptMs: round(acceptMs, 1),
    serverSecs: serverSecs === null ? null : round(serverSecs, 3),
    serverPerS: serverSecs ? round(n / serverSecs, 0) : null,
    ...cpu,
    jobId: job.id,
  };
  log(
    `${`bulk.${side}`.padEnd(14)} ${Math.round(r.perS).toString().padStart(6)} items/s (${format}, POST ${Math.round(acceptMs)} ms, job clock ${r.serverPerS} items/s) | cpu µs/item app ${cpu.appCpuUsPerItem} pg ${cpu.pgCpuUsPerItem}${cpu.helperCpuUsPerItem === null ? '' : ` helpers ${cpu.helperCpuUsPerItem}`}`,
  );
  return r;
}

const prefix = `benchpool_${randomBytes(4).toString('hex')}`;

async function main() {
  const result = {
    machine: machineInfo(),
    config: {
      connections: CFG.connections,
      duration: CFG.duration,
      warmup: CFG.warmup,
      reps: CFG.reps,
      seedOrders: CFG.seedOrders,
      ...POOLER_CFG,
      db: DB_NAME,
    },
    startedAt: new Date().toISOString(),
  };
  const build = prepareDist('pooler', null, CFG.skipBuild);
  result.build = { commit: build.commit };
  const { pool, postgres } = await freshDatabase(build, CFG.seedOrders);
  result.postgres = postgres;
  if (POOLER_CFG.bulk) await seedOrders(pool, BULK_PREFIX, POOLER_CFG.bulkN, FROM);

  const bouncer = await startPgBouncer({ poolSize: POOLER_CFG.poolSize, mode: 'transaction' });
  result.pgbouncer = {
    version: bouncer.version,
    poolMode: 'transaction',
    defaultPoolSize: POOLER_CFG.poolSize,
    ini: bouncer.ini.replace(/\/tmp\/[^/\s]+\//g, '<tmp>/'),
  };
  log(`PgBouncer ${bouncer.version} (pid ${bouncer.pid}) on ${bouncer.url(DB_NAME)}`);
  const ENV = {
    direct: { DATABASE_URL: DB_URL, DATABASE_POOL_MODE: 'session' },
    pooled: {
      DATABASE_URL: bouncer.url(DB_NAME),
      DATABASE_POOL_MODE: 'transaction',
      DATABASE_DIRECT_URL: DB_URL,
    },
  };
  result.sides = ENV;
  const helperPids = { direct: [], pooled: [bouncer.pid] };
  const servers = {};
  try {
    for (const side of SIDES) {
      servers[side] = {
        ...(await startOurs(build, prefix, [], side, { ...ENV[side], RUN_WORKERS: 'false' })),
        helperPids: helperPids[side],
      };
      log(`${side}: ${servers[side].base} (pid ${servers[side].handle.pid})`);
    }
    const cases = CASES.filter((c) => POOLER_CFG.cases.includes(c.id));
    const runs = {};
    result.rounds = [];
    const save = () => {
      result.runs = runs;
      result.summary = summarize(runs);
      // A failed run leaves its rounds here, not over the last complete results.json.
      mkdirSync(WORK, { recursive: true });
      writeFileSync(join(WORK, 'results.partial.json'), `${JSON.stringify(result, null, 2)}\n`);
    };
    for (let rep = 1; rep <= CFG.reps; rep++) {
      const sides = rep % 2 ? SIDES : [...SIDES].reverse();
      const order = rep % 2 ? cases : [...cases].reverse();
      result.rounds.push({ round: rep, sides, loadavg: os.loadavg().map((x) => round(x, 2)) });
      log(`round ${rep}/${CFG.reps}: ${sides.join(' then ')}; load average ${os.loadavg()[0].toFixed(2)}`);
      for (const c of order) {
        for (const side of sides) {
          ((runs[c.id] ??= {})[side] ??= []).push(
            await runCase(pool, servers[side], c, 'ours', side),
          );
        }
      }
      if (POOLER_CFG.bulk) {
        const format = rep % 2 ? 'json' : 'ndjson';
        for (const side of sides) {
          // Workers of this side only: started for the job, stopped after it.
          const svc = {
            ...(await startOurs(build, prefix, SERVICE_NODE_ARGS, `${side}-bulk`, {
              ...ENV[side],
              RUN_WORKERS: 'true',
              LOG_LEVEL: 'warn',
            })),
            helperPids: helperPids[side],
          };
          try {
            ((runs.bulk ??= {})[side] ??= []).push(
              await runBulk(pool, svc, side, POOLER_CFG.bulkN, format),
            );
          } finally {
            await svc.stop();
          }
        }
      }
      save();
    }
    if (POOLER_CFG.floor) {
      result.floor = measureFloor({
        directUrl: DB_URL,
        pooledUrl: bouncer.url(DB_NAME),
        seedOrders: CFG.seedOrders,
      });
      log(`floor (pgbench, GET's statement): pooled / direct ${result.floor.median}`);
    }
    for (const [id, r] of Object.entries(result.summary.ratios))
      log(
        `${id}: pooled / direct throughput ${r.throughput.median} (rounds ${r.throughput.perRound.join(', ')})` +
          (r.cpu ? `; per CPU-ms ${r.cpu.median}` : ''),
      );
  } finally {
    for (const s of Object.values(servers)) await s.stop();
    await bouncer.stop();
  }
  result.loadavgAtEnd = os.loadavg().map((x) => round(x, 2));
  await finishRun(HERE, result, pool, writeReport);
}

runServersBench(main, { prefix, writeReport });
