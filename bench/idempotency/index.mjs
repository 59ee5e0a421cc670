#!/usr/bin/env node
// Idempotency-Key bench: our interceptor (libs/idempotency) against @node-idempotency/nestjs.
//
//   npm run bench -- idempotency        (or: node bench/idempotency/index.mjs)
//
// One run:
//   1. fresh database `bench_idem` + our migrations (from a snapshot of dist/, built first if missing);
//   2. our real API (dist/apps/api/src/main.js) and the peer app (bench/idempotency/peer-app.mjs, same
//      `orders` table, Redis storage) as separate processes;
//   3. functional sanity checks (first/replay/mismatch) for both;
//   4. the race check: RACE_N identical concurrent POSTs with one key, RACE_TRIALS times each;
//   5. autocannon: POST /orders without key, with a fresh key per request, and replays of one key
//      (+ the peer's bare route without its interceptor), REPS rounds in alternating order, medians;
//   6. REPORT.md + results.json next to this file; processes stopped, database dropped, Redis keys deleted.
//
// Tunables (env): BENCH_CONNECTIONS=20 BENCH_DURATION=10 BENCH_WARMUP=2 BENCH_REPS=3 RACE_N=50
// RACE_TRIALS=5 PEER_STORAGE=redis|memory BENCH_WAIT_IDLE=60 (seconds to wait for other benches to end)
// BENCH_RATE_LIMIT_PER_MINUTE=1000000000 (our API's per-tenant limit; the default would answer 429 under load).
// `node bench/idempotency/index.mjs --report-only` rewrites REPORT.md from results.json.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, rmSync, statSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { benchDir, knobs, logger, num, ROOT, sleep } from '../_lib/env.mjs';
import { machineInfo, otherActivity as othersThan } from '../_lib/machine.mjs';
import { dbUrl, dropDatabase as drop, freshDatabase } from '../_lib/pg.mjs';
import { stopAll } from '../_lib/proc.mjs';
import { cpuDelta as delta, cpuSnapshot as snapshot } from '../_lib/procfs.mjs';
import { cleanRedis, redisVersion, REDIS_URL } from '../_lib/redis.mjs';
import { apiMain, logTail as tail, serviceEnv, startServer } from '../_lib/service.mjs';
import { runBench } from '../_lib/run-bench.mjs';
import { median, fmt } from '../_lib/stats.mjs';

const { HERE, WORK, require } = benchDir(import.meta.url);
const autocannon = require('autocannon');
const { Pool } = require('pg');

const LOGS = join(WORK, 'logs');
const DIST_SRC = join(ROOT, 'dist');
const DIST = join(WORK, 'dist');

const CFG = {
  ...knobs('BENCH', { connections: 20, duration: 10, warmup: 2, reps: 3, waitIdle: 60 }),
  raceN: num('RACE_N', 50),
  raceTrials: num('RACE_TRIALS', 5),
  peerStorage: process.env.PEER_STORAGE ?? 'redis',
};
const DB_NAME = process.env.BENCH_DB ?? 'bench_idem';
const DB_URL = dbUrl(DB_NAME);
const RUN = randomBytes(4).toString('hex');
const PREFIX = `benchidem_${RUN}`;
const TENANT = 'bench';
const API_KEY = 'bench-key';
const T0 = Date.now();

const log = logger('idem');

// ------------------------------------------------------------------------------------------ setup

const otherActivity = () => othersThan('idempotency');

async function waitForQuiet() {
  const deadline = Date.now() + CFG.waitIdle * 1000;
  let others = otherActivity();
  if (others.length) log(`other benches/builds running, waiting up to ${CFG.waitIdle}s:\n  ${others.join('\n  ')}`);
  while (others.length && Date.now() < deadline) {
    await sleep(3000);
    others = otherActivity();
  }
  return others;
}

function builds() {
  try {
    return execFileSync('pgrep', ['-af', 'nest build'], { encoding: 'utf8' }).split('\n').filter((l) => l && !l.includes('pgrep'));
  } catch {
    return [];
  }
}

async function prepareDist() {
  for (let i = 0; i < 60 && builds().length; i++) {
    if (i === 0) log('a `nest build` is running; waiting for it');
    await sleep(3000);
  }
  const main = join(DIST_SRC, 'apps/api/src/main.js');
  let built = false;
  if (!existsSync(main)) {
    log('dist/ missing: npm run build');
    await new Promise((resolve, reject) => {
      const child = spawn('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build exited ${code}`))));
    });
    built = true;
  }
  // A private snapshot, so that someone else's `nest build` (deleteOutDir) cannot pull it away mid-run.
  rmSync(DIST, { recursive: true, force: true });
  cpSync(DIST_SRC, DIST, { recursive: true });
  const distTime = statSync(main).mtimeMs;
  const newer = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.spec.ts') && statSync(p).mtimeMs > distTime) newer.push(relative(ROOT, p));
    }
  };
  for (const d of ['apps', 'libs']) walk(join(ROOT, d));
  // Which version of the code under test was measured (it changes while others work on it).
  const hash = (dir) => {
    const h = createHash('sha256');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.js')).sort()) h.update(f).update(readFileSync(join(dir, f)));
    return h.digest('hex').slice(0, 12);
  };
  const codeHashes = {
    'libs/idempotency': hash(join(DIST, 'libs/idempotency/src')),
    'libs/orders': hash(join(DIST, 'libs/orders/src')),
  };
  if (newer.length) log(`WARNING: sources newer than dist/ (not rebuilt by this bench): ${newer.join(', ')}`);
  return { builtByBench: built, distBuiltAt: new Date(distTime).toISOString(), sourcesNewerThanDist: newer, codeHashes };
}

const dropDatabase = () => drop(DB_NAME);

/** A server of this bench; `restartIfDead` (bench/_lib/service.mjs) records a death and starts it again. */
const startBenchServer = (name, args, env) => startServer({ name, args, env, logDir: LOGS, timeoutMs: 60_000 });

/** Restarts a server that died (someone else's kill, or a crash); the death is recorded for the report. */
async function ensureAlive(server, during) {
  if (!(await server.restartIfDead(during))) return false;
  const death = server.deaths.at(-1);
  log(`WARNING: ${server.name} (pid ${death.pid}) died ${JSON.stringify(death.exit)} before/while ${during}; log tail:\n${death.logTail || '(empty)'}`);
  log(`${server.name} restarted (pid ${server.handle.pid})`);
  return true;
}

// ------------------------------------------------------------------------------ implementations

const body = (customer) => JSON.stringify({ customer_id: customer, amount: 1999, currency: 'EUR' });

/** Each implementation: where its routes are and what headers it needs. */
function impls(ours, peer) {
  const json = { 'content-type': 'application/json' };
  return {
    ours: { server: ours, label: 'ours (libs/idempotency)', base: ours.base, path: '/orders', headers: { ...json, authorization: `Bearer ${API_KEY}` }, appName: 'bulk-rest-%' }, // the app pool and the idempotency pool
    peer: { server: peer, label: `@node-idempotency/nestjs 1.0.4 (${CFG.peerStorage})`, base: peer.base, path: '/orders', headers: json, appName: 'bench-idem-peer' },
    peerBare: { server: peer, label: 'peer app, no interceptor', base: peer.base, path: '/bare/orders', headers: json, appName: 'bench-idem-peer' },
  };
}

async function post(impl, customer, key) {
  const headers = { ...impl.headers };
  if (key !== undefined) headers['idempotency-key'] = key;
  const res = await fetch(impl.base + impl.path, { method: 'POST', headers, body: body(customer) });
  const text = await res.text();
  return { status: res.status, replayed: res.headers.get('idempotent-replayed'), location: res.headers.get('location'), retryAfter: res.headers.get('retry-after'), body: text };
}

let pool;
async function countRows(customer) {
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM orders WHERE customer_id = $1', [customer]);
  return rows[0].n;
}

// ------------------------------------------------------------------------------------ sanity

async function sanity(impl, tag) {
  const c = `sanity-${tag}-${RUN}`;
  const key = `sanity-${tag}-${RUN}`;
  const first = await post(impl, c, key);
  const again = await post(impl, c, key);
  const other = await post(impl, `${c}-other`, key);
  const nokey = await post(impl, `${c}-nokey`);
  const rows = await countRows(c);
  const checks = {
    firstStatus: first.status,
    replayStatus: again.status,
    replayHeader: again.replayed,
    replayBodyIdentical: again.body === first.body,
    replayLocationKept: again.location === first.location,
    mismatchStatus: other.status,
    noKeyStatus: nokey.status,
    rowsForKey: rows,
  };
  checks.ok =
    first.status === 201 && again.status === 201 && again.replayed === 'true' && checks.replayBodyIdentical && other.status === 422 && nokey.status === 201 && rows === 1;
  return checks;
}

// -------------------------------------------------------------------------------------- race

async function race(impl, tag, trial) {
  const customer = `race-${tag}-${trial}-${RUN}`;
  const key = `race-${tag}-${trial}-${RUN}`;
  const headers = { ...impl.headers, 'idempotency-key': key };
  const payload = body(customer);
  // Open RACE_N keep-alive connections first, so that the POSTs below leave together instead of being
  // staggered by connection set-up.
  await Promise.all(Array.from({ length: CFG.raceN }, () => fetch(`${impl.base}/health/ready`).then((r) => r.arrayBuffer()).catch(() => undefined)));
  const t = performance.now();
  const results = await Promise.all(
    Array.from({ length: CFG.raceN }, () =>
      fetch(impl.base + impl.path, { method: 'POST', headers, body: payload })
        .then(async (r) => ({ status: r.status, replayed: r.headers.get('idempotent-replayed') === 'true', retryAfter: r.headers.get('retry-after'), body: await r.text() }))
        .catch((e) => ({ status: 'error', error: e.cause?.code ?? e.message })),
    ),
  );
  const ms = performance.now() - t;
  await sleep(300);
  const rows = await countRows(customer);
  const statuses = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const ok2xx = results.filter((r) => typeof r.status === 'number' && r.status < 300);
  const distinctBodies = new Set(ok2xx.map((r) => r.body)).size;
  const follow = await post(impl, customer, key);
  const followRows = await countRows(customer);
  const problems = [...new Set(results.filter((r) => typeof r.status === 'number' && r.status >= 400).map((r) => `${r.status} ${r.body.slice(0, 160)}`))];
  return {
    trial,
    ms: +ms.toFixed(1),
    statuses,
    replayed2xx: ok2xx.filter((r) => r.replayed).length,
    rowsInserted: rows,
    distinct2xxBodies: distinctBodies,
    followUp: {
      status: follow.status,
      replayed: follow.replayed,
      sameBodyAsRace2xx: ok2xx.length ? ok2xx.some((r) => r.body === follow.body) : null,
      rowsAfter: followRows,
    },
    errorBodies: problems.slice(0, 5),
    retryAfterValues: [...new Set(results.map((r) => r.retryAfter).filter(Boolean))],
  };
}

// ------------------------------------------------------------------------------- throughput

async function cannon(impl, { mode, key, customer, duration }) {
  let n = 0;
  const keyPrefix = `ac-${randomBytes(6).toString('hex')}`;
  let replayed = 0;
  const setupRequest =
    mode === 'fresh'
      ? (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `${keyPrefix}-${n++}` } })
      : mode === 'replaymany'
        ? (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `${key.prefix}-${n++ % key.count}` } })
        : (req) => req; // identical client work in every case: the request is rebuilt each time
  const headers = { ...impl.headers };
  if (mode === 'replay') headers['idempotency-key'] = key;
  const r = await autocannon({
    url: impl.base,
    connections: CFG.connections,
    duration,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: impl.path,
        headers,
        body: body(customer),
        setupRequest,
        onResponse: (_status, _body, _ctx, h) => {
          if (h['idempotent-replayed'] === 'true' || h['Idempotent-Replayed'] === 'true') replayed++;
        },
      },
    ],
  });
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
  return {
    rps: r.requests.average,
    rps2xx: r['2xx'] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    latencyAvg: r.latency.average,
    latencyMax: r.latency.max,
    total: r.requests.total,
    n2xx: r['2xx'],
    non2xx: r.non2xx,
    n5xx: r['5xx'],
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    replayed,
    keysSent: n,
    keyPrefix,
    duration: r.duration,
  };
}

/** Samples pg_stat_activity of one app while the load runs: how many backends are busy / wait on locks. */
function startSampler(appName) {
  const acc = { samples: 0, busy: 0, idleInTx: 0, lockWaits: 0, byEvent: {} };
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      try {
        const { rows } = await pool.query(
          `SELECT state, wait_event_type, wait_event, count(*)::int AS n FROM pg_stat_activity
            WHERE datname = $1 AND application_name LIKE $2 AND state <> 'idle' GROUP BY 1, 2, 3`,
          [DB_NAME, appName],
        );
        acc.samples++;
        for (const r of rows) {
          acc.busy += r.n;
          if (r.state.startsWith('idle in transaction')) acc.idleInTx += r.n;
          if (r.wait_event_type === 'Lock') {
            acc.lockWaits += r.n;
            acc.byEvent[r.wait_event] = (acc.byEvent[r.wait_event] ?? 0) + r.n;
          }
        }
      } catch {
        /* sampling is best effort */
      }
      await sleep(200);
    }
  })();
  return async () => {
    stop = true;
    await loop;
    const k = acc.samples || 1;
    return {
      samples: acc.samples,
      avgBusyBackends: +(acc.busy / k).toFixed(2),
      avgIdleInTransaction: +(acc.idleInTx / k).toFixed(2),
      avgLockWaiting: +(acc.lockWaits / k).toFixed(2),
      lockWaitsByEvent: Object.fromEntries(Object.entries(acc.byEvent).map(([e, v]) => [e, +(v / k).toFixed(2)])),
    };
  };
}

/** CPU used by the app process and by its Postgres backends (those alive at both ends of the run). */
const cpuSnapshot = (impl) => snapshot(pool, DB_NAME, { handle: impl.server.handle, appName: impl.appName });
function cpuDelta(a, b, requests) {
  const d = delta(a, b, requests);
  const ms = (x) => (x === null ? null : +x.toFixed(3));
  return { appCpuMsPerReq: ms(d.appMs), pgCpuMsPerReq: ms(d.pgMs), pgBackendsTracked: d.pgBackends };
}

const lastFresh = {};

async function runCase(I, c, rep, attempt = 1) {
  const impl = I[c.impl];
  await ensureAlive(impl.server, `${c.id} rep ${rep}`);
  const othersBefore = otherActivity();
  let customer = `ac-${c.id}-${rep}-${RUN}`;
  let key;
  if (c.mode === 'replaymany') {
    const src = lastFresh[c.impl];
    if (!src) {
      log(`${c.id} rep ${rep}: skipped (no completed fresh-key run yet)`);
      return null;
    }
    customer = src.customer; // same body as when the keys were first used
    key = { prefix: src.prefix, count: src.count };
  }
  if (c.mode === 'replay') {
    key = `replay-${c.id}-${rep}-${RUN}`;
    const first = await post(impl, customer, key);
    if (first.status !== 201) throw new Error(`${c.id}: priming the replay key answered ${first.status}: ${first.body}`);
  }
  if (CFG.warmup > 0) await cannon(impl, { mode: c.mode, key, customer: c.mode === 'replay' ? customer : `warm-${customer}`, duration: CFG.warmup });
  const before = c.mode === 'replay' || c.mode === 'replaymany' ? await countRows(customer) : 0;
  const stopSampler = startSampler(impl.appName);
  const cpu0 = await cpuSnapshot(impl);
  const res = await cannon(impl, { mode: c.mode, key, customer, duration: CFG.duration });
  res.cpu = cpuDelta(cpu0, await cpuSnapshot(impl), res.total);
  res.db = await stopSampler();
  res.otherProcessesDuring = [...new Set([...othersBefore, ...otherActivity()])].length;
  if (impl.server.handle.exited) {
    await ensureAlive(impl.server, `${c.id} rep ${rep} (measured run)`);
    if (attempt >= 3) throw new Error(`${c.id}: the server keeps dying`);
    log(`${c.id} rep ${rep}: repeating the run after the restart`);
    return runCase(I, c, rep, attempt + 1);
  }
  await sleep(500); // let in-flight requests finish before counting
  res.rowsInserted = (await countRows(customer)) - before;
  res.rep = rep;
  if (c.mode === 'fresh') {
    // Keys 0..n-1 were built in order; the last few per connection may never have been sent.
    lastFresh[c.impl] = { prefix: res.keyPrefix, count: Math.max(1, res.n2xx - 3 * CFG.connections), customer };
  }
  if (c.mode === 'replaymany') res.distinctKeys = key.count;
  log(
    `${c.id.padEnd(15)} rep ${rep}: ${fmt(res.rps).padStart(6)} req/s  p99 ${String(res.p99).padStart(4)} ms  2xx ${res.n2xx} non2xx ${res.non2xx} err ${res.errors} rows ${res.rowsInserted} replayed ${res.replayed} | cpu ms/req app ${res.cpu.appCpuMsPerReq} pg ${res.cpu.pgCpuMsPerReq} (${res.cpu.pgBackendsTracked} backends) | pg busy ${res.db.avgBusyBackends} lock-wait ${res.db.avgLockWaiting} ${JSON.stringify(res.db.lockWaitsByEvent)}`,
  );
  return res;
}

/**
 * Black-box probe of what a replay does in Postgres: (1) does a replay of a completed key leave a new
 * transaction id in the row's xmax (i.e. lock the row in a write transaction)? (2) does a replay wait
 * while another transaction holds a FOR NO KEY UPDATE lock on that completed row?
 */
async function lockProbe(impl, tag, holdMs = 1000) {
  const customer = `sanity-${tag}-${RUN}`;
  const key = `sanity-${tag}-${RUN}`;
  const xmax = async () =>
    (await pool.query('SELECT xmax::text AS x FROM idempotency_keys WHERE tenant_id = $1 AND key = $2', [TENANT, key])).rows[0]?.x;
  const xmaxSeq = [await xmax()];
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    statuses.push((await post(impl, customer, key)).status);
    xmaxSeq.push(await xmax());
  }
  const holder = await pool.connect();
  let blockedMs;
  let blockedStatus;
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 FOR NO KEY UPDATE', [TENANT, key]);
    const t = performance.now();
    const pending = post(impl, customer, key).then((r) => {
      blockedMs = performance.now() - t;
      blockedStatus = r.status;
    });
    await sleep(holdMs);
    await holder.query('ROLLBACK');
    await pending;
  } finally {
    holder.release();
  }
  return {
    replayStatuses: statuses,
    xmaxBeforeAndAfterEachReplay: xmaxSeq,
    newXidPerReplay: xmaxSeq.slice(1).every((x, i) => x !== xmaxSeq[i] && x !== '0'),
    replayWhileRowLockedMs: +blockedMs.toFixed(0),
    replayWhileRowLockedStatus: blockedStatus,
    lockHeldMs: holdMs,
  };
}

async function idemKeyStates() {
  const { rows } = await pool.query('SELECT state, count(*)::int AS n FROM idempotency_keys GROUP BY state ORDER BY state');
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

// ------------------------------------------------------------------------------------ report

function logErrors(file) {
  const text = tail(file, 100000);
  const lines = text.split('\n').filter((l) => /error|exception|unhandled/i.test(l));
  return { count: lines.length, sample: [...new Set(lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').replace(/^.*?(ERROR|WARN)/, '$1').slice(0, 240)))].slice(0, 8) };
}

function summarizeCase(allRuns) {
  const runs = allRuns.filter(Boolean);
  if (!runs.length) return null;
  return {
    appCpuMsPerReq: median(runs.map((r) => r.cpu.appCpuMsPerReq).filter((x) => x !== null)),
    pgCpuMsPerReq: median(runs.map((r) => r.cpu.pgCpuMsPerReq).filter((x) => x !== null)),
    avgBusyBackends: median(runs.map((r) => r.db.avgBusyBackends)),
    avgIdleInTransaction: median(runs.map((r) => r.db.avgIdleInTransaction)),
    avgLockWaiting: median(runs.map((r) => r.db.avgLockWaiting)),
    lockWaitsByEvent: runs.map((r) => r.db.lockWaitsByEvent),
    distinctKeys: runs.map((r) => r.distinctKeys).filter(Boolean),
    rps: median(runs.map((r) => r.rps)),
    p99: median(runs.map((r) => r.p99)),
    p50: median(runs.map((r) => r.p50)),
    rpsRuns: runs.map((r) => +r.rps.toFixed(1)),
    rpsRunsLabel: runs.map((r) => `${r.rps.toFixed(0)}${r.otherProcessesDuring ? '*' : ''}`),
    runsWithOtherActivity: runs.filter((r) => r.otherProcessesDuring).length,
    p99Runs: runs.map((r) => r.p99),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    n5xx: runs.reduce((a, r) => a + (r.n5xx ?? 0), 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    timeouts: runs.reduce((a, r) => a + r.timeouts, 0),
    n2xx: runs.reduce((a, r) => a + r.n2xx, 0),
    rows: runs.reduce((a, r) => a + r.rowsInserted, 0),
    replayed: runs.reduce((a, r) => a + r.replayed, 0),
    statusCodes: runs.reduce((acc, r) => {
      for (const [k, v] of Object.entries(r.statusCodes)) acc[k] = (acc[k] ?? 0) + v;
      return acc;
    }, {}),
  };
}

function raceTable(trials) {
  const lines = ['| trial | status codes | 2xx replayed | rows inserted | distinct 2xx bodies | follow-up retry | wall ms |', '|---|---|---|---|---|---|---|'];
  for (const t of trials) {
    const sc = Object.entries(t.statuses).map(([k, v]) => `${k}×${v}`).join(', ');
    lines.push(
      `| ${t.trial} | ${sc} | ${t.replayed2xx} | **${t.rowsInserted}** | ${t.distinct2xxBodies} | ${t.followUp.status}${t.followUp.replayed === 'true' ? ' (replayed)' : ''}, rows after ${t.followUp.rowsAfter} | ${t.ms} |`,
    );
  }
  return lines.join('\n');
}

/** Ratio of two cases within each round (measured minutes apart at most), then the median over rounds. */
function pairedRatio(R, a, b) {
  const per = R.runs[a].map((x, i) => (x && R.runs[b][i] ? x.rps / R.runs[b][i].rps : null)).filter((v) => v !== null);
  return { perRound: per.map((v) => +v.toFixed(2)), median: median(per) };
}

function writeReport(R) {
  const S = R.summary;
  const f = (x, d) => fmt(x, d);
  const ratio = (a, b) => (a && b ? a / b : NaN);
  const caseRow = (name, s) =>
    !s
      ? `| ${name} | skipped | | | | | | | | | | | |`
      : `| ${name} | **${f(s.rps, 0)}** | **${f(s.p99, 0)}** | ${f(s.p50, 0)} | ${s.rpsRunsLabel.join(' / ')} | ${s.p99Runs.join(' / ')} | ${s.n2xx} | ${s.non2xx}${s.non2xx ? ` (${Object.entries(s.statusCodes).filter(([k]) => !k.startsWith('2')).map(([k, v]) => `${k}×${v}`).join(', ')})` : ''} | ${s.errors} | ${s.rows} | ${s.replayed} | ${f(s.appCpuMsPerReq, 2)} / ${f(s.pgCpuMsPerReq, 2)} | ${f(s.avgBusyBackends, 1)} / ${f(s.avgLockWaiting, 1)} |`;
  const head =
    '| case | req/s (median) | p99 ms (median) | p50 ms | req/s per run | p99 per run | 2xx total | non-2xx | socket errors | rows inserted | `Idempotent-Replayed` | CPU ms per request: app process / its PG backends (median) | PG backends busy / waiting on a lock (avg) |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const o = S.ours;
  const p = S.peer;
  const oFresh = ratio(o.fresh.rps, o.nokey.rps);
  const oReplay = ratio(o.replay.rps, o.fresh.rps);
  const pFreshBare = ratio(p.fresh.rps, p.bare.rps);
  const pFreshNokey = ratio(p.fresh.rps, p.nokey.rps);
  const pReplay = ratio(p.replay.rps, p.fresh.rps);
  const pass = (ok) => (ok ? 'met' : '**MISSED**');
  const cpu = (s) => (s && s.appCpuMsPerReq !== undefined ? s.appCpuMsPerReq + s.pgCpuMsPerReq : NaN);
  const pr = {
    oFresh: pairedRatio(R, 'ours.fresh', 'ours.nokey'),
    oReplay: pairedRatio(R, 'ours.replay', 'ours.fresh'),
    pFresh: pairedRatio(R, 'peer.fresh', 'peer.bare'),
    pReplay: pairedRatio(R, 'peer.replay', 'peer.fresh'),
  };
  const m = R.machine;
  const raceSummary = (trials) => {
    const rows = trials.map((t) => t.rowsInserted);
    const codes = {};
    for (const t of trials) for (const [k, v] of Object.entries(t.statuses)) codes[k] = (codes[k] ?? 0) + v;
    return `rows inserted per trial: ${rows.join(', ')} (expected 1 each); status codes over ${trials.length}×${CFG.raceN} requests: ${Object.entries(codes).map(([k, v]) => `${k}×${v}`).join(', ')}`;
  };
  const md = `# Idempotency-Key bench: ours vs @node-idempotency/nestjs

Generated by \`bench/idempotency/index.mjs\` on ${R.machine.date} (run ${R.run}, ${R.wallSeconds}s wall).
Command: \`npm run bench -- idempotency\` (or \`node bench/idempotency/index.mjs\`). Raw figures: [results.json](./results.json).

## Machine

| | |
|---|---|
| date | ${m.date} |
| nproc | ${m.nproc} (${m.cpuModel}) |
| memory | ${m.totalMemGiB} GiB |
| OS | ${m.os} |
| node | ${m.node} |
| PostgreSQL | ${R.postgres} (127.0.0.1:5432, shared with other databases) |
| Redis | ${R.redis ?? 'n/a'} |
| load average at start / end | ${m.loadavg.join(', ')} / ${R.loadEnd.join(', ')} |
| other benches/builds seen at start | ${R.otherActivityAtStart.length ? R.otherActivityAtStart.map((l) => `\`${l.slice(0, 90)}\``).join('<br>') : 'none'} |
| dist snapshot | built ${R.dist.distBuiltAt}${R.dist.builtByBench ? ' (by this bench)' : ''}; sha256 of the built JS: ${Object.entries(R.dist.codeHashes).map(([k, v]) => `${k} \`${v}\``).join(', ')}; sources newer than dist: ${R.dist.sourcesNewerThanDist.length ? R.dist.sourcesNewerThanDist.join(', ') : 'none'} |

Server deaths (restarted by the bench, the affected run repeated): ours ${R.serverDeaths.ours.length ? R.serverDeaths.ours.map((d) => `${d.at} during ${d.during}, exit ${JSON.stringify(d.exit)}`).join('; ') : 'none'}; peer ${R.serverDeaths.peer.length ? R.serverDeaths.peer.map((d) => `${d.at} during ${d.during}, exit ${JSON.stringify(d.exit)}`).join('; ') : 'none'}.
In the "req/s per run" columns, \`*\` marks runs during which other benches/builds/test runs were seen on the machine.

Load: autocannon ${CFG.connections} connections, ${CFG.duration} s measured after a ${CFG.warmup} s warm-up, per case and round;
${CFG.reps} rounds, the case order reversed every other round (ours and the peer interleaved); medians of the rounds.
Every request is rebuilt by a \`setupRequest\` hook (a new \`Idempotency-Key\` per request in the fresh-key case, unchanged
otherwise) so the load generator does the same work in every case. Both apps are single Node processes with a Postgres
pool of 20 (ours may open more for its idempotency statements, as its code does); the load generator, both apps, Postgres and Redis share the ${m.nproc} CPUs, so absolute figures are
CPU-bound and only the ratios within one implementation are meaningful. "CPU ms per request" is the utime+stime (from /proc) of
the app process and of its Postgres backends alive at both ends of the measured run, divided by the requests completed; it is
less sensitive to other load on the machine than req/s (it excludes the load generator, Redis and Postgres' WAL writer).

- **ours**: \`node dist/apps/api/src/main.js\` (from a snapshot of \`dist/\`), \`Authorization: Bearer\`, per-tenant rate limiter
  (Redis INCR per request; \`RATE_LIMIT_PER_MINUTE=${process.env.BENCH_RATE_LIMIT_PER_MINUTE ?? '1000000000'}\` so it never rejects), ValidationPipe, CLS, problem details; the key is claimed in Postgres (\`idempotency_keys\`), handler + stored response in one transaction.
- **peer**: \`@node-idempotency/nestjs@1.0.4\` with the **${CFG.peerStorage}** storage adapter${CFG.peerStorage === 'redis' ? ' (`@node-idempotency/storage-adapter-redis@1.0.2`, SET NX PX)' : ''} in a small Nest app
  (\`bench/idempotency/peer-app.mjs\`): \`POST /orders\` = one \`INSERT … RETURNING\` via \`pg\` into the same \`orders\` table, no auth,
  no class-validator. \`POST /bare/orders\` is the same handler without the interceptor (the peer's own baseline).

## Ours (libs/idempotency)

${head}
${caseRow('no key', o.nokey)}
${caseRow('fresh key per request', o.fresh)}
${caseRow('replay of one key', o.replay)}
${caseRow(`(diagnostic) replays spread over ~${o.replaymany?.distinctKeys?.[0] ?? '?'} completed keys`, o.replaymany)}

| ratio | value | target | |
|---|---|---|---|
| fresh-key / no-key throughput (ratio of medians) | **${f(oFresh, 2)}** (${f(o.fresh.rps, 0)} / ${f(o.nokey.rps, 0)} req/s) | ≥ 0.75 | ${pass(oFresh >= 0.75)} |
| fresh-key / no-key throughput, paired per round | ${f(pr.oFresh.median, 2)} (rounds: ${pr.oFresh.perRound.join(', ')}) | ≥ 0.75 | ${pass(pr.oFresh.median >= 0.75)} |
| replay / fresh-key throughput (ratio of medians) | **${f(oReplay, 2)}** (${f(o.replay.rps, 0)} / ${f(o.fresh.rps, 0)} req/s) | > 1 | ${pass(oReplay > 1)} |
| replay / fresh-key throughput, paired per round | ${f(pr.oReplay.median, 2)} (rounds: ${pr.oReplay.perRound.join(', ')}) | > 1 | ${pass(pr.oReplay.median > 1)} |
| no-key / fresh-key CPU per request (app + its PG backends; the throughput ratio a CPU-bound box would give) | ${f(ratio(cpu(o.nokey), cpu(o.fresh)), 2)} (${f(cpu(o.nokey), 2)} / ${f(cpu(o.fresh), 2)} ms) | ≥ 0.75 | ${pass(ratio(cpu(o.nokey), cpu(o.fresh)) >= 0.75)} |
| fresh-key / no-key p99 | ${f(ratio(o.fresh.p99, o.nokey.p99), 2)} (${o.fresh.p99} / ${o.nokey.p99} ms) | | |
| replay / fresh-key p99 | ${f(ratio(o.replay.p99, o.fresh.p99), 2)} (${o.replay.p99} / ${o.fresh.p99} ms) | | |
| (diagnostic) replays over many keys / fresh-key throughput | ${f(ratio(o.replaymany?.rps, o.fresh.rps), 2)} (${f(o.replaymany?.rps, 0)} / ${f(o.fresh.rps, 0)} req/s) | | |

Idempotency records left after the run: ${JSON.stringify(R.oursKeyStatesEnd)} (no \`processing\` rows expected once the load stops).

The "(diagnostic)" row replays, round-robin, the keys completed by the latest fresh-key run (same body), to separate the cost of
the replay path from contention on one hot key. "PG backends busy / waiting on a lock" samples \`pg_stat_activity\` of the app's
pool every 200 ms during the measured run (lock waits by event: replay ${JSON.stringify(o.replay.lockWaitsByEvent)}, fresh ${JSON.stringify(o.fresh.lockWaitsByEvent)}).

**Replay lock probe** (after the load, on a completed key): xmax of the key's row before and after each of 3 sequential
replays: ${R.replayLockProbe.xmaxBeforeAndAfterEachReplay.join(' → ')} (statuses ${R.replayLockProbe.replayStatuses.join(', ')})${R.replayLockProbe.newXidPerReplay ? ' — every replay left a new transaction id, i.e. it row-locked the completed record in a write transaction' : ''}.
While a separate transaction held \`SELECT … FOR NO KEY UPDATE\` on that completed row for ${R.replayLockProbe.lockHeldMs} ms, a replay took
${R.replayLockProbe.replayWhileRowLockedMs} ms (status ${R.replayLockProbe.replayWhileRowLockedStatus}).

## Peer: @node-idempotency/nestjs 1.0.4 (${CFG.peerStorage} storage)

${head}
${caseRow('bare route, no interceptor', p.bare)}
${caseRow('no key (interceptor on)', p.nokey)}
${caseRow('fresh key per request', p.fresh)}
${caseRow('replay of one key', p.replay)}
${caseRow(`(diagnostic) replays spread over ~${p.replaymany?.distinctKeys?.[0] ?? '?'} completed keys`, p.replaymany)}

| ratio | value |
|---|---|
| fresh-key / bare throughput | **${f(pFreshBare, 2)}** (${f(p.fresh.rps, 0)} / ${f(p.bare.rps, 0)} req/s); paired per round ${f(pr.pFresh.median, 2)} (${pr.pFresh.perRound.join(', ')}) |
| fresh-key / no-key (interceptor on) throughput | ${f(pFreshNokey, 2)} |
| no-key (interceptor on) / bare throughput | ${f(ratio(p.nokey.rps, p.bare.rps), 2)} |
| replay / fresh-key throughput | **${f(pReplay, 2)}** (${f(p.replay.rps, 0)} / ${f(p.fresh.rps, 0)} req/s); paired per round ${f(pr.pReplay.median, 2)} (${pr.pReplay.perRound.join(', ')}) |
| (diagnostic) replays over many keys / fresh-key throughput | ${f(ratio(p.replaymany?.rps, p.fresh.rps), 2)} |

## Side by side (each relative to its own no-key baseline)

| | ours | peer |
|---|---|---|
| no-key baseline req/s | ${f(o.nokey.rps, 0)} | ${f(p.bare.rps, 0)} (bare) |
| fresh key: req/s, share of baseline | ${f(o.fresh.rps, 0)}, **${f(oFresh * 100, 0)}%** | ${f(p.fresh.rps, 0)}, **${f(pFreshBare * 100, 0)}%** |
| fresh key: CPU ms/req app+PG (baseline) | ${f(cpu(o.fresh), 2)} (${f(cpu(o.nokey), 2)}) | ${f(cpu(p.fresh), 2)} (${f(cpu(p.bare), 2)}; + Redis, not measured) |
| fresh key: p99 ms (baseline p99) | ${o.fresh.p99} (${o.nokey.p99}) | ${p.fresh.p99} (${p.bare.p99}) |
| replay: req/s, × fresh-key | ${f(o.replay.rps, 0)}, **×${f(oReplay, 2)}** | ${f(p.replay.rps, 0)}, **×${f(pReplay, 2)}** |
| replay: p99 ms | ${o.replay.p99} | ${p.replay.p99} |
| (diagnostic) replays over many keys: req/s, × fresh-key | ${f(o.replaymany?.rps, 0)}, ×${f(ratio(o.replaymany?.rps, o.fresh.rps), 2)} | ${f(p.replaymany?.rps, 0)}, ×${f(ratio(p.replaymany?.rps, p.fresh.rps), 2)} |
| where the key lives | Postgres (same transaction as the order) | ${CFG.peerStorage === 'redis' ? 'Redis (separate from the order INSERT)' : 'process memory (single process only)'} |

## Race: ${CFG.raceN} identical concurrent POSTs with one key, ${CFG.raceTrials} trials each

Fired at once with \`Promise.all\` + \`fetch\`, each trial with its own key and a unique \`customer_id\`; rows counted by that
\`customer_id\` 300 ms after the last answer; then one more retry with the same key ("follow-up").

**Ours** — ${raceSummary(R.race.ours)}

${raceTable(R.race.ours)}

**Peer** — ${raceSummary(R.race.peer)}

${raceTable(R.race.peer)}

Error bodies seen (first of each kind): ours: ${JSON.stringify([...new Set(R.race.ours.flatMap((t) => t.errorBodies))].slice(0, 3))}; peer: ${JSON.stringify([...new Set(R.race.peer.flatMap((t) => t.errorBodies))].slice(0, 3))}.
\`Retry-After\` values: ours ${JSON.stringify([...new Set(R.race.ours.flatMap((t) => t.retryAfterValues))])}, peer ${JSON.stringify([...new Set(R.race.peer.flatMap((t) => t.retryAfterValues))])}.

## Functional sanity (before the load)

| check | ours | peer |
|---|---|---|
${Object.keys(R.sanity.ours)
  .map((k) => `| ${k} | ${R.sanity.ours[k]} | ${R.sanity.peer[k]} |`)
  .join('\n')}

## Findings

${R.findings.length ? R.findings.map((x) => `- ${x}`).join('\n') : '- none'}
`;
  writeFileSync(join(HERE, 'REPORT.md'), md);
}

function findings(R) {
  const out = [];
  const S = R.summary;
  const oFresh = S.ours.fresh.rps / S.ours.nokey.rps;
  const oReplay = S.ours.replay.rps / S.ours.fresh.rps;
  const pf = pairedRatio(R, 'ours.fresh', 'ours.nokey');
  const pr = pairedRatio(R, 'ours.replay', 'ours.fresh');
  if (!(oFresh >= 0.75))
    out.push(`Target missed (ours): a fresh key costs ${fmt((1 - oFresh) * 100, 0)}% of throughput (fresh-key/no-key = ${fmt(oFresh, 2)}, target ≥ 0.75; ${fmt(S.ours.fresh.rps, 0)} vs ${fmt(S.ours.nokey.rps, 0)} req/s; per-round ratios ${pf.perRound.join(', ')}).`);
  else out.push(`Target met (ours): fresh-key/no-key = ${fmt(oFresh, 2)} (≥ 0.75; per-round ratios ${pf.perRound.join(', ')}).`);
  if (!(oReplay > 1)) out.push(`Target missed (ours): replays of one key are not faster than first executions (replay/fresh = ${fmt(oReplay, 2)}; ${fmt(S.ours.replay.rps, 0)} vs ${fmt(S.ours.fresh.rps, 0)} req/s; p99 ${S.ours.replay.p99} vs ${S.ours.fresh.p99} ms; per-round ratios ${pr.perRound.join(', ')}).`);
  else out.push(`Target met (ours): replay/fresh = ${fmt(oReplay, 2)} (> 1; per-round ratios ${pr.perRound.join(', ')})${oReplay < 1.5 ? '; only narrowly — see the next point' : ''}.`);
  {
    const d0 = (x) => (Math.abs(x) < 0.005 ? 0 : x);
    const of = S.ours.fresh;
    const on = S.ours.nokey;
    if (of && on && Number.isFinite(of.appCpuMsPerReq) && Number.isFinite(on.appCpuMsPerReq)) {
      out.push(
        `ours, where a fresh key's cost goes (medians per request, fresh-key vs no-key): app process CPU ${fmt(on.appCpuMsPerReq, 2)} → ${fmt(of.appCpuMsPerReq, 2)} ms, ` +
          `its Postgres backends' CPU ${fmt(on.pgCpuMsPerReq, 2)} → ${fmt(of.pgCpuMsPerReq, 2)} ms (claim statement + BEGIN/INSERT/UPDATE/COMMIT instead of one INSERT); ` +
          `busy backends ${fmt(on.avgBusyBackends, 1)} → ${fmt(of.avgBusyBackends, 1)}, of which ${fmt(of.avgIdleInTransaction, 1)} on average "idle in transaction" ` +
          `(the transaction stays open across its round trips and while the Node process works between statements). The peer, whose key lives in Redis, adds ` +
          `${fmt(d0(S.peer.fresh.appCpuMsPerReq - S.peer.bare.appCpuMsPerReq), 2)} ms app CPU and ${fmt(d0(S.peer.fresh.pgCpuMsPerReq - S.peer.bare.pgCpuMsPerReq), 2)} ms PG CPU per request over its bare route (Redis CPU not measured).`,
      );
    }
  }
  const P = R.replayLockProbe;
  if (P?.newXidPerReplay || P?.replayWhileRowLockedMs >= P?.lockHeldMs * 0.8) {
    const many = S.ours.replaymany;
    out.push(
      `ours, replay path: the claim is \`INSERT … ON CONFLICT (tenant_id, key) DO UPDATE … WHERE <expired or stale>\` (idempotency.service.ts claim()); ` +
        `Postgres locks the conflicting row even when that WHERE is false ("all rows will be locked when the ON CONFLICT DO UPDATE action is taken"). ` +
        `Measured: ${P.newXidPerReplay ? `each replay of a completed key stamped a new transaction id into the row's xmax (${P.xmaxBeforeAndAfterEachReplay.join(' → ')}), so a replay is a write transaction (xid, WAL, commit flush) followed by a second SELECT; ` : ''}` +
        `a replay waited ${P.replayWhileRowLockedMs} ms while another transaction held FOR NO KEY UPDATE on the completed row for ${P.lockHeldMs} ms. ` +
        `Under load, replays of one key serialize on that row lock: on average ${fmt(S.ours.replay.avgLockWaiting, 1)} of the app's pool connections were waiting on a lock during the replay runs ` +
        `(${JSON.stringify(S.ours.replay.lockWaitsByEvent[0] ?? {})} in round 1) vs ${fmt(S.ours.fresh.avgLockWaiting, 1)} during fresh-key runs` +
        (many ? `; spread over many keys, replays ran at ${fmt(many.rps, 0)} req/s (×${fmt(many.rps / S.ours.fresh.rps, 2)} fresh-key), p99 ${many.p99} ms.` : '.'),
    );
  }
  for (const [impl, cases] of Object.entries(S)) {
    for (const [c, s] of Object.entries(cases)) {
      if (!s) continue;
      if (s.non2xx || s.errors || s.timeouts)
        out.push(`${impl} ${c}: ${s.non2xx} non-2xx (${JSON.stringify(s.statusCodes)}), ${s.errors} socket errors, ${s.timeouts} timeouts under load.`);
      if ((c === 'replay' || c === 'replaymany') && s.rows !== 0) out.push(`${impl} replay: ${s.rows} orders inserted while hammering an already-completed key (expected 0).`);
      if ((c === 'replay' || c === 'replaymany') && s.replayed !== s.n2xx) out.push(`${impl} replay: ${s.n2xx} 2xx answers but ${s.replayed} carried \`Idempotent-Replayed: true\`.`);
      if (c === 'fresh' && s.replayed) out.push(`${impl} fresh: ${s.replayed} answers marked replayed although every key was new.`);
      if ((c === 'fresh' || c === 'nokey' || c === 'bare') && (s.rows < s.n2xx || s.rows > s.n2xx + CFG.connections * CFG.reps))
        out.push(`${impl} ${c}: ${s.rows} rows inserted for ${s.n2xx} 2xx answers (expected equal, up to ${CFG.connections} in flight per run).`);
    }
  }
  for (const [impl, trials] of Object.entries(R.race)) {
    const dup = trials.filter((t) => t.rowsInserted !== 1);
    if (dup.length) out.push(`${impl} race: trials ${dup.map((t) => `${t.trial} (${t.rowsInserted} rows)`).join(', ')} did not insert exactly one order.`);
    const five = trials.filter((t) => Object.keys(t.statuses).some((k) => k === 'error' || Number(k) >= 500));
    if (five.length) out.push(`${impl} race: 5xx/transport errors in trials ${five.map((t) => `${t.trial} ${JSON.stringify(t.statuses)}`).join('; ')}.`);
    const many = trials.filter((t) => t.distinct2xxBodies > 1);
    if (many.length) out.push(`${impl} race: different 2xx bodies for one key in trials ${many.map((t) => t.trial).join(', ')}.`);
    const follow = trials.filter((t) => t.followUp.status !== 201 || t.followUp.replayed !== 'true' || t.followUp.rowsAfter !== t.rowsInserted);
    if (follow.length) out.push(`${impl} race: the follow-up retry was not a clean replay in trials ${follow.map((t) => `${t.trial} (${t.followUp.status}, replayed=${t.followUp.replayed}, rows ${t.rowsInserted}→${t.followUp.rowsAfter})`).join(', ')}.`);
  }
  for (const [impl, s] of Object.entries(R.sanity)) if (!s.ok) out.push(`${impl} sanity checks not all as expected: ${JSON.stringify(s)}.`);
  if (R.sanity.ours.replayLocationKept === false) out.push('ours: the replay does not carry the original Location header.');
  if (R.sanity.peer.replayLocationKept === false) out.push('peer: replays drop the `Location` header (it caches only the status, Content-Type and body).');
  if (R.oursKeyStatesEnd.processing) out.push(`ours: ${R.oursKeyStatesEnd.processing} idempotency records still 'processing' after the load stopped.`);
  for (const [name, e] of Object.entries(R.serverLogErrors))
    if (e.count) out.push(`${name} log: ${e.count} error-looking lines, e.g. ${e.sample.map((s) => `\`${s}\``).join('; ')}.`);
  for (const [name, deaths] of Object.entries(R.serverDeaths))
    for (const d of deaths)
      out.push(
        `${name} server process (pid ${d.pid}) died at ${d.at} (${d.during}) with ${JSON.stringify(d.exit)}; ${d.exit?.signal ? 'killed by a signal from outside this bench (no crash output)' : 'it exited by itself'}; log tail: ${d.logTail ? `\`${d.logTail.replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(-3).join(' | ').slice(0, 300)}\`` : '(empty)'}. The bench restarted it and repeated the affected run.`,
      );
  const noisy = Object.values(S).flatMap((cases) => Object.values(cases)).filter(Boolean).reduce((a, s) => a + s.runsWithOtherActivity, 0);
  if (noisy) out.push(`${noisy} measured runs overlapped with other benches/builds/tests on this ${R.machine.nproc}-CPU machine (marked * in the tables); treat absolute figures as noisy.`);
  if (R.otherActivityAtStart.length) out.push(`Other benches/builds were running when measuring started (${R.otherActivityAtStart.length} processes); figures are noisier.`);
  return out;
}

// -------------------------------------------------------------------------------------- main

let servers = [];
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await Promise.all(servers.map((s) => s.stop()));
  await stopAll();
  const n = await cleanRedis(PREFIX).catch(() => 0);
  await pool?.end().catch(() => undefined);
  await dropDatabase().catch((e) => log(`could not drop ${DB_NAME}: ${e.message}`));
  rmSync(DIST, { recursive: true, force: true });
  log(`cleaned up: processes stopped, database ${DB_NAME} dropped, ${n} Redis keys deleted`);
}
async function main() {
  const otherActivityAtStart = await waitForQuiet();
  const machineStart = machineInfo();
  const dist = await prepareDist();
  const postgres = await freshDatabase(DB_NAME);
  const applied = await require(join(DIST, 'libs/database/src/index.js')).runMigrations(DB_URL);
  log(`database ${DB_NAME} ready, migrations: ${applied.join(', ')}`);
  pool = new Pool({ connectionString: DB_URL, max: 3 });
  pool.on('error', (e) => log(`bench pool: ${e.message}`)); // idle clients terminated by DROP … FORCE at cleanup

  const ours = await startBenchServer(
    'ours',
    [apiMain(DIST)],
    serviceEnv({
      databaseUrl: DB_URL,
      prefix: PREFIX,
      apiKeys: `${TENANT}:${API_KEY}`,
      CURSOR_SECRET: 'x',
      // As measured so far: the mode the shell gives (development when unset).
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      // The per-tenant rate limit (default 60 000/min) would answer 429 under this load; a limit far
      // above it keeps the limiter's per-request Redis round trip in the path without ever rejecting.
      RATE_LIMIT_PER_MINUTE: process.env.BENCH_RATE_LIMIT_PER_MINUTE ?? '1000000000',
    }),
  );
  servers.push(ours);
  const startPeer = (storage) =>
    startBenchServer('peer', [join(HERE, 'peer-app.mjs')], {
      DATABASE_URL: DB_URL,
      PEER_STORAGE: storage,
      PEER_KEY_PREFIX: `${PREFIX}_peer`,
      REDIS_URL,
      BENCH_TENANT: TENANT,
    });
  let peer;
  try {
    peer = await startPeer(CFG.peerStorage);
  } catch (e) {
    if (CFG.peerStorage !== 'redis') throw e;
    log(`peer with Redis storage failed (${e.message.split('\n')[0]}); falling back to memory storage`);
    CFG.peerStorage = 'memory';
    peer = await startPeer('memory');
  }
  servers.push(peer);
  log(`ours on :${ours.port} (pid ${ours.handle.pid}), peer on :${peer.port} (pid ${peer.handle.pid}, ${CFG.peerStorage})`);
  const I = impls(ours, peer);

  const sanityRes = { ours: await sanity(I.ours, 'ours'), peer: await sanity(I.peer, 'peer') };
  log(`sanity: ours ${sanityRes.ours.ok ? 'ok' : JSON.stringify(sanityRes.ours)}; peer ${sanityRes.peer.ok ? 'ok' : JSON.stringify(sanityRes.peer)}`);

  const raceRes = { ours: [], peer: [] };
  for (let t = 1; t <= CFG.raceTrials; t++) {
    await ensureAlive(ours, `race ${t}`);
    await ensureAlive(peer, `race ${t}`);
    const order = t % 2 ? ['ours', 'peer'] : ['peer', 'ours'];
    for (const name of order) raceRes[name].push(await race(I[name], name, t));
    log(`race ${t}: ours ${JSON.stringify(raceRes.ours.at(-1).statuses)} rows ${raceRes.ours.at(-1).rowsInserted}; peer ${JSON.stringify(raceRes.peer.at(-1).statuses)} rows ${raceRes.peer.at(-1).rowsInserted}`);
  }

  const CASES = [
    { id: 'ours.nokey', impl: 'ours', mode: 'nokey' },
    { id: 'ours.fresh', impl: 'ours', mode: 'fresh' },
    { id: 'ours.replay', impl: 'ours', mode: 'replay' },
    { id: 'ours.replaymany', impl: 'ours', mode: 'replaymany' },
    { id: 'peer.bare', impl: 'peerBare', mode: 'nokey' },
    { id: 'peer.nokey', impl: 'peer', mode: 'nokey' },
    { id: 'peer.fresh', impl: 'peer', mode: 'fresh' },
    { id: 'peer.replay', impl: 'peer', mode: 'replay' },
    { id: 'peer.replaymany', impl: 'peer', mode: 'replaymany' },
  ];
  const runs = Object.fromEntries(CASES.map((c) => [c.id, []]));
  for (let rep = 1; rep <= CFG.reps; rep++) {
    const order = rep % 2 ? CASES : [...CASES].reverse();
    for (const c of order) runs[c.id].push(await runCase(I, c, rep));
  }
  await sleep(500);
  const oursKeyStatesEnd = await idemKeyStates();
  await ensureAlive(ours, 'lock probe');
  const probe = await lockProbe(I.ours, 'ours');
  log(`replay lock probe (ours): ${JSON.stringify(probe)}`);

  const summary = { ours: {}, peer: {} };
  for (const c of CASES) {
    const [impl, name] = c.id.split('.');
    summary[impl][name] = summarizeCase(runs[c.id]);
  }
  const mergeErrors = (files) => files.map(logErrors).reduce((a, e) => ({ count: a.count + e.count, sample: [...a.sample, ...e.sample].slice(0, 8) }), { count: 0, sample: [] });
  const serverLogErrors = { ours: mergeErrors(ours.logFiles), peer: mergeErrors(peer.logFiles) };

  const R = {
    run: RUN,
    config: CFG,
    machine: machineStart,
    loadEnd: null,
    postgres,
    redis: await redisVersion(),
    otherActivityAtStart,
    dist,
    peerStorage: CFG.peerStorage,
    sanity: sanityRes,
    race: raceRes,
    runs,
    summary,
    oursKeyStatesEnd,
    replayLockProbe: probe,
    serverDeaths: { ours: ours.deaths, peer: peer.deaths },
    serverStarts: { ours: ours.starts, peer: peer.starts },
    serverLogErrors,
  };
  R.loadEnd = machineInfo().loadavg;
  R.wallSeconds = Math.round((Date.now() - T0) / 1000);
  R.findings = findings(R);
  await cleanup();
  R.wallSeconds = Math.round((Date.now() - T0) / 1000);
  writeFileSync(join(HERE, 'results.json'), JSON.stringify(R, null, 2));
  writeReport(R);
  log(`wrote ${relative(ROOT, join(HERE, 'REPORT.md'))} and results.json`);
  for (const line of R.findings) console.log(`  - ${line}`);
}

async function reportOnly() {
  const R = JSON.parse(readFileSync(join(HERE, 'results.json'), 'utf8'));
  Object.assign(CFG, R.config);
  R.findings = findings(R);
  writeFileSync(join(HERE, 'results.json'), JSON.stringify(R, null, 2));
  writeReport(R);
  console.log(`rewrote ${relative(ROOT, join(HERE, 'REPORT.md'))} from results.json`);
  for (const line of R.findings) console.log(`  - ${line}`);
}

// Exits when done: the load's keep-alive sockets would otherwise hold the process open.
runBench(main, { reportOnly, cleanup }).then(() => process.exit());
