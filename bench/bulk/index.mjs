#!/usr/bin/env node
// Bulk-jobs bench: what POST /bulk-jobs costs and delivers, against the raw limits of Postgres and a
// naive "one queue job + one ORM save per item" baseline.
//
//   npm run bench -- bulk            (or: node bench/bulk/index.mjs)
//
// One run, one fresh database (`bench_bulk`, dropped at the end):
//   (a) raw limit, plain `pg`: set-based UPDATE … FROM unnest and INSERT … SELECT FROM unnest of N orders
//       in chunks of 1000 (one statement = one transaction per chunk), REPS times;
//   (c) naive baseline: bench/bulk/naive-worker.mjs (Bull, concurrency 2, TypeORM findOneBy + save per item);
//   (b) the service end to end (node <dist>/apps/api/src/main.js, RUN_WORKERS=true): update_orders_status
//       and create_orders of N items each via NDJSON, POST → `completed`, verified against SQL;
//   (d) accept latency of 10,000-item JSON and NDJSON create_orders POSTs (sequential), REPS rounds, plus
//       one diagnostic round per format with each job cancelled at once, and a breakdown of the accept work;
//   (e) GET /orders/{id} latency (autocannon) idle, REPS times, and while a BIG_N-item job runs;
//   (f) RSS of the API process while it accepts the BIG_N-line NDJSON upload (sampled every 50 ms).
// Writes bench/bulk/REPORT.md and bench/bulk/results.json; logs of the last run in bench/bulk/.work/.
//
// Knobs (env): BENCH_N=200000 BENCH_NAIVE_N=5000 BENCH_BIG_N=1000000 BENCH_ACCEPT_ITEMS=10000
// BENCH_ACCEPT_POSTS=30 BENCH_REPS=3 BENCH_AC_DURATION=10 BENCH_AC_CONNECTIONS=10 BENCH_BUDGET_S=900
// BENCH_SKIP_BUILD=1 BENCH_KEEP_DB=1 BENCH_WAIT_IDLE=120 BENCH_DB=bench_bulk BENCH_NAIVE_MAX_S=60
// `node bench/bulk/index.mjs --report-only` rewrites REPORT.md from results.json without measuring.
// BENCH_PG_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_REDIS_URL=redis://127.0.0.1:6379
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { waitForHttp } from '../_lib/http.mjs';
import { machineInfo } from '../_lib/machine.mjs';
import { freePort, killAllSync, startProcess, stopAll, stopProcess } from '../_lib/proc.mjs';
import { fmt, median, percentile, summarize } from '../_lib/stats.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const Redis = require('ioredis');
const Bull = require('bull');
const autocannon = require('autocannon');

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(dirname(HERE));
const WORK = join(HERE, '.work');
const SNAP = join(WORK, 'dist');
const num = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);
const CFG = {
  n: num('BENCH_N', 200_000),
  chunk: 1000,
  naiveN: num('BENCH_NAIVE_N', 5000),
  naiveMaxS: num('BENCH_NAIVE_MAX_S', 60),
  bigN: num('BENCH_BIG_N', 1_000_000),
  acceptItems: num('BENCH_ACCEPT_ITEMS', 10_000),
  acceptPosts: num('BENCH_ACCEPT_POSTS', 30),
  reps: num('BENCH_REPS', 3),
  acDuration: num('BENCH_AC_DURATION', 10),
  acConnections: num('BENCH_AC_CONNECTIONS', 10),
  budgetS: num('BENCH_BUDGET_S', 900),
  waitIdleS: num('BENCH_WAIT_IDLE', 120),
  dbName: process.env.BENCH_DB ?? 'bench_bulk',
  skipBuild: process.env.BENCH_SKIP_BUILD === '1',
  keepDb: process.env.BENCH_KEEP_DB === '1',
};
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_URL = PG_ADMIN.replace(/\/[^/]*$/, `/${CFG.dbName}`);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = randomBytes(4).toString('hex');
const PREFIX = `benchbulk_${RUN}`;
const NAIVE_PREFIX = `benchbulknaive_${RUN}`;
const TENANT = 'bench';
const AUTH = 'Bearer bench-key';
const FRESH_TENANT = 'fresh';
let currentAuth = AUTH; // phase (h) switches to the second tenant's key
const T0 = Date.now();
const elapsed = () => (Date.now() - T0) / 1000;
let TM = T0; // start of the measured part (after waiting for other benches and the build)
const measuredElapsed = () => (Date.now() - TM) / 1000;
const log = (...a) => console.log(`[bulk ${elapsed().toFixed(0).padStart(4)}s]`, ...a);
const r1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10) / 10);
const r2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 100) / 100);
const r0 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x));

const result = {
  bench: 'bulk',
  run: RUN,
  config: CFG,
  machine: null,
  phases: {},
  problems: [],
  notes: [],
  load: [],
};
const noteLoad = (phase) => result.load.push({ phase, t: r1(elapsed()), loadavg: machineInfo().loadavg });

// ------------------------------------------------------------------------------------ helpers

function pgrep(pattern) {
  try {
    return execFileSync('pgrep', ['-af', pattern], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l && !l.includes('pgrep'));
  } catch {
    return [];
  }
}

function otherBenches() {
  return pgrep('bench/(run\\.mjs|[a-z]+/index\\.mjs)|autocannon').filter(
    (l) => !l.includes('bench/bulk') && !/run\.mjs bulk/.test(l) && !l.startsWith(`${process.pid} `) && !l.startsWith(`${process.ppid} `),
  );
}

async function waitForQuiet() {
  const deadline = Date.now() + CFG.waitIdleS * 1000;
  let others = otherBenches();
  if (others.length) log(`other benches running, waiting up to ${CFG.waitIdleS}s:\n  ${others.join('\n  ')}`);
  while (others.length && Date.now() < deadline) {
    await sleep(3000);
    others = otherBenches();
  }
  if (others.length) result.notes.push(`Other benches were still running when this one started: ${others.map((l) => l.slice(0, 100)).join('; ')}`);
  return others;
}

async function buildAndSnapshot() {
  for (let i = 0; i < 100 && pgrep('nest build').length; i++) {
    if (i === 0) log('a `nest build` is running; waiting for it to finish');
    await sleep(3000);
  }
  rmSync(SNAP, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const main = join(ROOT, 'dist/apps/api/src/main.js');
  // Snapshot first: a failed build (deleteOutDir) must not leave us without a dist/.
  const haveOld = existsSync(main);
  if (haveOld) cpSync(join(ROOT, 'dist'), SNAP, { recursive: true });
  let build = 'skipped (BENCH_SKIP_BUILD=1)';
  if (!CFG.skipBuild) {
    if (pgrep('nest build').length) {
      build = 'skipped (another `nest build` was still running)';
    } else {
      log('npm run build');
      const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      if (r.status === 0 && existsSync(main)) {
        rmSync(SNAP, { recursive: true, force: true });
        cpSync(join(ROOT, 'dist'), SNAP, { recursive: true });
        build = 'ok';
      } else {
        build = `failed (exit ${r.status}); ran the dist/ that existed before the build`;
        log(`WARNING: build ${build}`);
      }
    }
  }
  if (!existsSync(join(SNAP, 'apps/api/src/main.js'))) throw new Error('no dist/ to run: npm run build failed and there was none before');
  const distTime = statSync(join(SNAP, 'apps/api/src/main.js')).mtimeMs;
  const newer = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.spec.ts') && statSync(p).mtimeMs > distTime) newer.push(relative(ROOT, p));
    }
  };
  for (const d of ['apps', 'libs']) walk(join(ROOT, d));
  if (newer.length) log(`note: sources newer than the dist/ used: ${newer.join(', ')}`);
  return { build, distBuiltAt: new Date(distTime).toISOString(), sourcesNewerThanDist: newer };
}

async function admin(fn) {
  const c = new Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function cleanRedis() {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let n = 0;
  try {
    await r.connect();
    for (const p of [PREFIX, NAIVE_PREFIX]) {
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${p}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) n += await r.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    r.disconnect();
  }
  return n;
}

function tail(file, n = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** A random id like the service's newId('ord'): prefix + 20 base-36 characters. */
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
function randomId(prefix) {
  const b = randomBytes(20);
  let s = '';
  for (let i = 0; i < 20; i++) s += ALPHABET[b[i] % 36];
  return `${prefix}_${s}`;
}

function rss(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) of a process. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return 0;
  }
}

/** Postgres CPU of our database's backends (approximate: the pool may open/close backends). */
let pgPool;
async function cpuMark(pid) {
  return { t: performance.now(), api: cpuSeconds(pid), pgPerPid: await pgPerPid() };
}
async function pgPerPid() {
  const { rows } = await pgPool.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [CFG.dbName]);
  return Object.fromEntries(rows.map((r) => [r.pid, cpuSeconds(r.pid)]));
}
async function cpuSince(mark, pid) {
  const secs = (performance.now() - mark.t) / 1000;
  const now = await pgPerPid();
  let pg = 0;
  for (const [p, v] of Object.entries(now)) pg += v - (mark.pgPerPid[p] ?? 0);
  const api = cpuSeconds(pid) - mark.api;
  return { wallS: r1(secs), apiCpuS: r1(api), apiCpuPct: r0((api / secs) * 100), pgCpuS: r1(pg), pgCpuPct: r0((pg / secs) * 100) };
}

/** pg_stat_activity of the service's connections, sampled every 250 ms: where backends wait. */
function startActivitySampler() {
  const acc = { samples: 0, active: 0, lockWait: 0, idleInTx: 0, waits: {}, queries: {}, maxInTx: 0, inTxHist: {} };
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      try {
        const { rows } = await pgPool.query(
          `SELECT state, wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS q
             FROM pg_stat_activity WHERE datname = $1 AND application_name = 'bulk-rest-service' AND state <> 'idle'`,
          [CFG.dbName],
        );
        acc.samples++;
        const inTx = rows.filter((r) => r.state === 'active' || r.state.startsWith('idle in transaction')).length;
        acc.maxInTx = Math.max(acc.maxInTx, inTx);
        acc.inTxHist[inTx] = (acc.inTxHist[inTx] ?? 0) + 1;
        for (const r of rows) {
          if (r.state === 'active') {
            acc.active++;
            const w = r.wait_event_type ? `${r.wait_event_type}:${r.wait_event}` : 'CPU';
            acc.waits[w] = (acc.waits[w] ?? 0) + 1;
            acc.queries[r.q] = (acc.queries[r.q] ?? 0) + 1;
            if (r.wait_event_type === 'Lock') acc.lockWait++;
          } else if (r.state.startsWith('idle in transaction')) acc.idleInTx++;
        }
      } catch {
        /* best effort */
      }
      await sleep(250);
    }
  })();
  return async () => {
    stop = true;
    await loop;
    const k = acc.samples || 1;
    const top = (o) =>
      Object.entries(o)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([key, v]) => ({ key, avg: +(v / k).toFixed(2) }));
    return {
      samples: acc.samples,
      avgActive: +(acc.active / k).toFixed(2),
      avgIdleInTransaction: +(acc.idleInTx / k).toFixed(2),
      avgLockWaiting: +(acc.lockWait / k).toFixed(2),
      maxConcurrentTransactions: acc.maxInTx,
      concurrentTransactionsHistogram: acc.inTxHist,
      topWaits: top(acc.waits),
      topQueries: top(acc.queries),
    };
  };
}

// ------------------------------------------------------------------------------------ HTTP

let API; // { handle, port, base }
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One request, timed from before it is written to the last byte of the response. */
function request(method, path, { headers = {}, body, timeoutMs = 900_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const h = { authorization: currentAuth, accept: 'application/json', ...headers };
    if (typeof body === 'string' || Buffer.isBuffer(body)) h['content-length'] = Buffer.byteLength(body);
    const req = http.request({ host: '127.0.0.1', port: API.port, path, method, agent, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json, ms: performance.now() - t0 });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    if (body instanceof Readable) {
      body.on('error', (e) => req.destroy(e));
      body.pipe(req);
    } else req.end(body);
  });
}

/** NDJSON lines generated as they are read (never the whole body in memory). */
function ndjsonStream(n, line, linesPerChunk = 1000) {
  let i = 0;
  return new Readable({
    read() {
      if (i >= n) {
        this.push(null);
        return;
      }
      const end = Math.min(n, i + linesPerChunk);
      let s = '';
      for (; i < end; i++) s += `${line(i)}\n`;
      this.push(s);
    },
  });
}

const httpProblems = {};
function countStatus(where, status, text) {
  if (status >= 200 && status < 300) return;
  const k = `${where}: HTTP ${status}`;
  if (!httpProblems[k]) httpProblems[k] = { count: 0, sample: (text ?? '').slice(0, 300) };
  httpProblems[k].count++;
}

async function getJob(id, waitS) {
  const r = await request('GET', `/bulk-jobs/${id}`, { headers: waitS ? { prefer: `wait=${waitS}` } : {} });
  countStatus('GET /bulk-jobs/{id}', r.status, r.text);
  if (r.status !== 200) throw new Error(`GET /bulk-jobs/${id} → ${r.status}: ${r.text.slice(0, 300)}`);
  return r.json;
}

const TERMINAL = ['completed', 'failed', 'cancelled'];
async function waitTerminal(id, { deadlineMs = Infinity, onProgress } = {}) {
  for (;;) {
    const job = await getJob(id, 30);
    onProgress?.(job);
    if (TERMINAL.includes(job.status)) return { job, t: performance.now() };
    if (Date.now() > deadlineMs) return { job, t: performance.now(), timedOut: true };
  }
}

// --------------------------------------------------------------------------------- setup/seed

async function seed(c) {
  const t = performance.now();
  const ins = (tenant, n, salt) =>
    c.query(
      `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version, created_at, updated_at)
       SELECT 'ord_' || substr(md5($2 || i::text), 1, 20), $1, 'cus_' || (i % 1000), 100 + (i % 5000), 'EUR', 'pending', 1,
              now() - make_interval(secs => ($3 - i)::float8 / 10), now()
         FROM generate_series(1, $3::int) AS i`,
      [tenant, salt, n],
    );
  await ins(TENANT, CFG.n, `b${RUN}`);
  await ins('naive', CFG.naiveN, `n${RUN}`);
  await c.query('VACUUM ANALYZE orders');
  const ids = (await c.query(`SELECT id FROM orders WHERE tenant_id = $1 ORDER BY created_at, id`, [TENANT])).rows.map((r) => r.id);
  const naiveIds = (await c.query(`SELECT id FROM orders WHERE tenant_id = 'naive' ORDER BY created_at, id`)).rows.map((r) => r.id);
  return { ids, naiveIds, seconds: r1((performance.now() - t) / 1000) };
}

// -------------------------------------------------------------------------------- (a) raw limit

const RAW_INSERT = `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
  SELECT u.id, $1, u.customer_id, u.amount, u.currency, u.status, 1
    FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) AS u(id, customer_id, amount, currency, status)`;
const RAW_UPDATE = `UPDATE orders o SET status = u.status, version = o.version + 1, updated_at = now()
  FROM unnest($1::text[], $2::text[]) u(id, status) WHERE o.tenant_id = $3 AND o.id = u.id`;

async function rawRep(rep, conns) {
  const tenant = `raw${rep}`;
  const ids = Array.from({ length: CFG.n }, () => randomId('ord'));
  const clients = [];
  for (let i = 0; i < conns; i++) {
    const c = new Client({ connectionString: DB_URL, application_name: 'bench-raw' });
    await c.connect();
    clients.push(c);
  }
  const chunks = [];
  for (let i = 0; i < ids.length; i += CFG.chunk) chunks.push(ids.slice(i, i + CFG.chunk));
  const run = async (fn) => {
    let next = 0;
    const t = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        for (;;) {
          const k = next++;
          if (k >= chunks.length) return;
          await fn(c, chunks[k], k);
        }
      }),
    );
    return (performance.now() - t) / 1000;
  };
  try {
    const insS = await run((c, ch, k) =>
      c.query(RAW_INSERT, [
        tenant,
        ch,
        ch.map((_, j) => `cus_${(k * CFG.chunk + j) % 1000}`),
        ch.map((_, j) => 100 + ((k * CFG.chunk + j) % 5000)),
        ch.map(() => 'EUR'),
        ch.map(() => 'pending'),
      ]),
    );
    // Fresh rows have no statistics yet; without ANALYZE the planner may scan the whole tenant per chunk.
    let staleStats = null;
    if (rep === 0) {
      const c = clients[0];
      const probe = async () => {
        await c.query('BEGIN');
        const t = performance.now();
        await c.query(RAW_UPDATE, [chunks[0], chunks[0].map(() => 'paid'), tenant]);
        const ms = performance.now() - t;
        await c.query('ROLLBACK');
        return r1(ms);
      };
      staleStats = { chunkMsBeforeAnalyze: await probe() };
      await c.query('ANALYZE orders');
      staleStats.chunkMsAfterAnalyze = await probe();
    } else await clients[0].query('ANALYZE orders');
    let updated = 0;
    const updS = await run(async (c, ch) => {
      const r = await c.query(RAW_UPDATE, [ch, ch.map(() => 'paid'), tenant]);
      updated += r.rowCount;
    });
    const check = (await clients[0].query(`SELECT count(*) FILTER (WHERE status = 'paid' AND version = 2)::int AS ok, count(*)::int AS n FROM orders WHERE tenant_id = $1`, [tenant])).rows[0];
    await clients[0].query(`DELETE FROM orders WHERE tenant_id = $1`, [tenant]);
    await clients[0].query(`VACUUM ANALYZE orders`);
    return {
      conns,
      insertS: r2(insS),
      insertPerS: r0(CFG.n / insS),
      updateS: r2(updS),
      updatePerS: r0(CFG.n / updS),
      updatedRows: updated,
      staleStats,
      verified: check.ok === CFG.n && check.n === CFG.n && updated === CFG.n,
    };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function phaseRaw() {
  const reps = [];
  for (let i = 0; i < CFG.reps; i++) {
    const r = await rawRep(i, 1);
    log(`(a) raw rep ${i + 1}: insert ${r.insertPerS}/s (${r.insertS}s), update ${r.updatePerS}/s (${r.updateS}s), verified ${r.verified}`);
    reps.push(r);
  }
  const two = await rawRep(9, 2);
  log(`(a) raw, 2 connections: insert ${two.insertPerS}/s, update ${two.updatePerS}/s`);
  return {
    reps,
    insertPerS: median(reps.map((r) => r.insertPerS)),
    updatePerS: median(reps.map((r) => r.updatePerS)),
    twoConnections: two,
    verified: reps.every((r) => r.verified) && two.verified,
  };
}

// ----------------------------------------------------------------------------- (c) naive baseline

async function phaseNaive(naiveIds) {
  const queueName = 'naive-orders';
  const h = startProcess('naive-worker', [join(HERE, 'naive-worker.mjs')], {
    cwd: ROOT,
    logFile: join(WORK, 'naive-worker.log'),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NAIVE_DIST: SNAP, DATABASE_URL: DB_URL, REDIS_URL, NAIVE_PREFIX, NAIVE_QUEUE: queueName, NAIVE_CONCURRENCY: '2' },
  });
  const queue = new Bull(queueName, REDIS_URL, { prefix: NAIVE_PREFIX });
  try {
    const deadline = Date.now() + 30_000;
    while (!/ready/.test(tail(h.logFile))) {
      if (!h.isAlive() || Date.now() > deadline) throw new Error(`naive worker did not start:\n${tail(h.logFile)}`);
      await sleep(100);
    }
    const mark = await cpuMark(h.pid);
    const t = performance.now();
    for (let i = 0; i < naiveIds.length; i += 1000) {
      await queue.addBulk(
        naiveIds.slice(i, i + 1000).map((id) => ({ name: 'update', data: { tenantId: 'naive', id, status: 'paid' }, opts: { removeOnComplete: true, removeOnFail: 1000 } })),
      );
    }
    const enqueueS = (performance.now() - t) / 1000;
    let paid = 0;
    let cappedAt = null;
    const until = Date.now() + CFG.naiveMaxS * 1000;
    for (;;) {
      paid = (await pgPool.query(`SELECT count(*)::int AS n FROM orders WHERE tenant_id = 'naive' AND status = 'paid'`)).rows[0].n;
      if (paid >= naiveIds.length) break;
      if (Date.now() > until) {
        cappedAt = paid; // extrapolate from what was done in the time allowed
        break;
      }
      const counts = await queue.getJobCounts();
      if (counts.waiting + counts.active + counts.delayed === 0 && paid < naiveIds.length) {
        await sleep(200);
        const again = (await pgPool.query(`SELECT count(*)::int AS n FROM orders WHERE tenant_id = 'naive' AND status = 'paid'`)).rows[0].n;
        if (again < naiveIds.length) throw new Error(`naive run stalled at ${again}/${naiveIds.length} (failed: ${counts.failed})`);
      }
      await sleep(50);
    }
    const totalS = (performance.now() - t) / 1000;
    const cpu = await cpuSince(mark, h.pid);
    if (cappedAt !== null) {
      await stopProcess(h); // finishes the jobs in hand, then stops
      await queue.empty();
    }
    const v = (
      await pgPool.query(`SELECT count(*) FILTER (WHERE version = 2)::int AS v2, count(*) FILTER (WHERE status = 'paid')::int AS paid, count(*) FILTER (WHERE version > 2)::int AS over FROM orders WHERE tenant_id = 'naive'`)
    ).rows[0];
    const counts = await queue.getJobCounts();
    return {
      items: paid,
      enqueued: naiveIds.length,
      cappedAfterS: cappedAt === null ? null : CFG.naiveMaxS,
      concurrency: 2,
      enqueueS: r2(enqueueS),
      totalS: r2(totalS),
      perS: r0(paid / totalS),
      cpu,
      verified: v.v2 === v.paid && v.over === 0 && counts.failed === 0 && (cappedAt !== null || paid === naiveIds.length),
      failedJobs: counts.failed,
    };
  } finally {
    await queue.close().catch(() => undefined);
    await stopProcess(h);
  }
}

// ------------------------------------------------------------------------------ API process

async function startApi() {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: DB_URL,
    REDIS_URL,
    PORT: String(port),
    API_KEYS: `bench:bench-key,${FRESH_TENANT}:fresh-key`,
    CURSOR_SECRET: 'x',
    BULL_PREFIX: PREFIX,
    LOG_LEVEL: 'warn',
    RUN_WORKERS: 'true',
    // The limiter's code path runs (one Redis round trip per request) but never blocks the bench.
    RATE_LIMIT_PER_MINUTE: '1000000000',
  };
  const handle = startProcess('api', [join(SNAP, 'apps/api/src/main.js')], { cwd: ROOT, env, logFile: join(WORK, 'api.log') });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, { timeoutMs: 90_000, isAlive: handle.isAlive });
  } catch (e) {
    await stopProcess(handle);
    throw new Error(`API did not become ready: ${e.message}\n${tail(handle.logFile)}`);
  }
  return { handle, port, pid: handle.pid, base: `http://127.0.0.1:${port}`, env: { ...env, PATH: undefined, HOME: undefined } };
}

// ---------------------------------------------------------------------- (e) interactive latency

async function cannon(ids, label) {
  const samples = [];
  const res = await new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: API.base,
        connections: CFG.acConnections,
        duration: CFG.acDuration,
        timeout: 10,
        headers: { authorization: AUTH, accept: 'application/json' },
        requests: [{ method: 'GET', path: `/orders/${ids[0]}`, setupRequest: (req) => ({ ...req, path: `/orders/${ids[(Math.random() * ids.length) | 0]}` }) }],
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
    inst.on('response', (_client, _status, _bytes, rt) => samples.push(rt));
  });
  const out = {
    label,
    requests: res.requests.total,
    rps: r0(res.requests.average),
    n2xx: res['2xx'],
    non2xx: res.non2xx,
    errors: res.errors,
    timeouts: res.timeouts,
    p50: r2(median(samples)),
    p99: r2(percentile(samples, 99)),
    max: r1(Math.max(...samples)),
    autocannonP50: res.latency.p50,
    autocannonP99: res.latency.p99,
  };
  if (res.non2xx || res.errors || res.timeouts) result.problems.push(`GET /orders/{id} (${label}): ${res.non2xx} non-2xx, ${res.errors} errors, ${res.timeouts} timeouts of ${res.requests.total}`);
  return out;
}

// -------------------------------------------------------------------------- (b) end to end

/** job-runner's own SQL for the per-chunk statements on bulk_job_items, read from the dist copy. */
let runnerSql;
function chunkStatements() {
  if (runnerSql) return runnerSql;
  const js = readFileSync(join(SNAP, 'libs/jobs/src/job-runner.service.js'), 'utf8');
  const literals = [...js.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
  runnerSql = {
    writeOutcomes: literals.find((l) => /UPDATE bulk_job_items i/.test(l) && /unnest/.test(l)),
    duplicates: literals.find((l) => /FROM bulk_job_items e\b/.test(l) && /dedupe_key = c\.k/.test(l)),
  };
  return runnerSql;
}

/** The planner's choice for the per-chunk statements on bulk_job_items (EXPLAIN only, job-runner's SQL). */
async function explainChunkPlans(jobId, lo = 0) {
  const idx = Array.from({ length: CFG.chunk }, (_, i) => lo + i);
  const nul = idx.map(() => null);
  const sql = chunkStatements();
  const nParams = (q) => Math.max(0, ...[...q.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  // $1 job id, $2 indexes, then per-item arrays; any further parameters are the chunk's index bounds.
  const params = (q, arrays) => {
    const n = nParams(q);
    const ps = [jobId, idx, ...arrays].slice(0, n);
    const extra = [idx[0], idx[idx.length - 1]];
    while (ps.length < n) ps.push(extra.shift() ?? null);
    return ps;
  };
  const plan = async (q, arrays) => (await pgPool.query(`EXPLAIN ${q}`, params(q, arrays))).rows.map((r) => r['QUERY PLAN']);
  const out = { sql };
  try {
    out.writeOutcomes = await plan(sql.writeOutcomes, [idx.map(() => 'succeeded'), nul, nul, nul]);
  } catch (e) {
    out.writeOutcomesError = e.message;
  }
  try {
    out.duplicates = await plan(sql.duplicates, [idx.map((i) => `k${i}`)]);
  } catch (e) {
    out.duplicatesError = e.message;
  }
  // A hash join whose inner side is an index scan on job_id alone reads every item of the job per chunk.
  const wholeJob = (lines) => {
    if (!lines) return null;
    const hash = lines.some((l) => /Hash (Join|Semi Join|Right Semi Join)/.test(l));
    const jobOnly = lines.some((l) => /Index Cond: \(job_id = '[^']*'::text\)$/.test(l.trim()) || /Recheck Cond: \(job_id = '[^']*'::text\)$/.test(l.trim()));
    return hash && jobOnly;
  };
  out.writeOutcomesScansWholeJob = wholeJob(out.writeOutcomes);
  out.duplicatesScansWholeJob = wholeJob(out.duplicates);
  return out;
}

async function bulkE2E(label, operation, n, line, { analyzeAfterAccept = false } = {}) {
  noteLoad(label);
  const mark = await cpuMark(API.pid);
  const stopActivity = startActivitySampler();
  const rssPeak = { max: 0 };
  const rssTimer = setInterval(() => {
    const v = rss(API.pid);
    if (v > rssPeak.max) rssPeak.max = v;
  }, 200);
  const t0 = performance.now();
  let post;
  try {
    post = await request('POST', `/bulk-jobs?operation=${operation}`, { headers: { 'content-type': 'application/x-ndjson' }, body: ndjsonStream(n, line) });
  } finally {
    if (!post) clearInterval(rssTimer);
  }
  countStatus(`POST /bulk-jobs (${label})`, post.status, post.text);
  if (post.status !== 202) {
    clearInterval(rssTimer);
    await stopActivity();
    throw new Error(`${label}: POST answered ${post.status}: ${post.text.slice(0, 500)}`);
  }
  const acceptMs = post.ms;
  const id = post.json.id;
  let analyzeMs = null;
  if (analyzeAfterAccept) {
    const t = performance.now();
    await pgPool.query('ANALYZE bulk_job_items');
    analyzeMs = r0(performance.now() - t);
  }
  const plans = await explainChunkPlans(id, Math.floor(n / 2 / CFG.chunk) * CFG.chunk).catch((e) => ({ error: e.message }));
  log(`(b) ${label}: accepted ${n} items in ${(acceptMs / 1000).toFixed(1)} s (job ${id})${analyzeAfterAccept ? `; ANALYZE bulk_job_items took ${analyzeMs} ms` : ''}; per-chunk plans scan the whole job: writeOutcomes ${plans.writeOutcomesScansWholeJob}, duplicates ${plans.duplicatesScansWholeJob}`);
  let last = 0;
  const done = await waitTerminal(id, {
    onProgress: (j) => {
      if (performance.now() - last > 20_000) {
        last = performance.now();
        log(`(b) ${label}: ${j.status} ${j.processed_items}/${j.total_items}`);
      }
    },
  });
  clearInterval(rssTimer);
  const totalS = (done.t - t0) / 1000;
  const cpu = await cpuSince(mark, API.pid);
  const activity = await stopActivity();
  const job = done.job;
  const dbJob = (
    await pgPool.query(
      `SELECT extract(epoch FROM started_at - created_at) AS wait_s, extract(epoch FROM completed_at - started_at) AS proc_s,
              extract(epoch FROM completed_at - created_at) AS server_total_s FROM bulk_jobs WHERE id = $1`,
      [id],
    )
  ).rows[0];
  const items = (await pgPool.query(`SELECT status, count(*)::int AS n FROM bulk_job_items WHERE job_id = $1 GROUP BY 1`, [id])).rows;
  log(`(b) ${label}: ${job.status} in ${totalS.toFixed(1)} s → ${(n / totalS).toFixed(0)} items/s`);
  return {
    id,
    n,
    acceptS: r2(acceptMs / 1000),
    totalS: r2(totalS),
    perS: r0(n / totalS),
    processingS: r2(Number(dbJob.proc_s)),
    processingPerS: r0(n / Number(dbJob.proc_s)),
    acceptToStartS: r2(Number(dbJob.wait_s)),
    job: { status: job.status, total_items: job.total_items, processed_items: job.processed_items, succeeded: job.succeeded, failed: job.failed },
    itemStatuses: Object.fromEntries(items.map((r) => [r.status, r.n])),
    cpu,
    activity,
    plans,
    analyzeAfterAccept,
    analyzeMs,
    apiRssPeakMiB: r0(rssPeak.max),
  };
}

async function phaseUpdate(ids) {
  const r = await bulkE2E('update_orders_status', 'update_orders_status', ids.length, (i) => `{"id":"${ids[i]}","status":"paid"}`);
  const v = (
    await pgPool.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'paid')::int AS paid, count(*) FILTER (WHERE version = 2)::int AS v2
         FROM orders WHERE tenant_id = $1`,
      [TENANT],
    )
  ).rows[0];
  r.check = v;
  r.verified =
    r.job.status === 'completed' &&
    v.paid === ids.length &&
    v.v2 === ids.length &&
    r.job.total_items === ids.length &&
    r.job.processed_items === ids.length &&
    r.job.succeeded === ids.length &&
    r.job.failed === 0 &&
    r.itemStatuses.succeeded === ids.length;
  if (!r.verified) result.problems.push(`update_orders_status ${ids.length}: verification failed: ${JSON.stringify({ job: r.job, orders: v, items: r.itemStatuses })}`);
  return r;
}

/** Diagnostic: the same update (paid → shipped) with bulk_job_items ANALYZEd as soon as the job is accepted. */
async function phaseUpdateAnalyzed(ids) {
  const r = await bulkE2E('update_orders_status (analyzed)', 'update_orders_status', ids.length, (i) => `{"id":"${ids[i]}","status":"shipped"}`, { analyzeAfterAccept: true });
  const v = (
    await pgPool.query(
      `SELECT count(*) FILTER (WHERE status = 'shipped')::int AS shipped, count(*) FILTER (WHERE version = 3)::int AS v3 FROM orders WHERE tenant_id = $1`,
      [TENANT],
    )
  ).rows[0];
  r.check = v;
  r.verified = r.job.status === 'completed' && v.shipped === ids.length && v.v3 === ids.length && r.job.succeeded === ids.length && r.job.failed === 0;
  if (!r.verified) result.problems.push(`update_orders_status (analyzed) ${ids.length}: verification failed: ${JSON.stringify({ job: r.job, orders: v })}`);
  return r;
}

async function phaseCreate(n) {
  const cus = `cus_c${RUN}`;
  const r = await bulkE2E('create_orders', 'create_orders', n, (i) => `{"customer_id":"${cus}","amount":${100 + (i % 5000)},"currency":"EUR"}`);
  const v = (
    await pgPool.query(
      `SELECT (SELECT count(*)::int FROM orders WHERE tenant_id = $1 AND customer_id = $2) AS orders,
              (SELECT count(*)::int FROM bulk_job_items i JOIN orders o ON o.id = i.result_id AND o.tenant_id = $1 WHERE i.job_id = $3) AS linked`,
      [TENANT, cus, r.id],
    )
  ).rows[0];
  r.check = v;
  r.verified =
    r.job.status === 'completed' && v.orders === n && v.linked === n && r.job.processed_items === n && r.job.succeeded === n && r.job.failed === 0;
  if (!r.verified) result.problems.push(`create_orders ${n}: verification failed: ${JSON.stringify({ job: r.job, check: v, items: r.itemStatuses })}`);
  return r;
}

// -------------------------------------------------------------------------- (d) accept latency

function acceptBodies(n) {
  const items = Array.from({ length: n }, (_, i) => ({ customer_id: `cus_acc${RUN}`, amount: 100 + (i % 5000), currency: 'EUR' }));
  return {
    items,
    json: Buffer.from(JSON.stringify({ operation: 'create_orders', items })),
    ndjson: Buffer.from(items.map((x) => JSON.stringify(x)).join('\n') + '\n'),
  };
}

async function acceptRound(format, bodies, { cancelAtOnce = false, posts = CFG.acceptPosts } = {}) {
  const ms = [];
  const jobIds = [];
  for (let i = 0; i < posts; i++) {
    const r =
      format === 'json'
        ? await request('POST', '/bulk-jobs', { headers: { 'content-type': 'application/json' }, body: bodies.json })
        : await request('POST', '/bulk-jobs?operation=create_orders', { headers: { 'content-type': 'application/x-ndjson' }, body: bodies.ndjson });
    countStatus(`POST /bulk-jobs (${format} accept)`, r.status, r.text);
    if (r.status !== 202) throw new Error(`accept ${format}: ${r.status} ${r.text.slice(0, 300)}`);
    ms.push(r.ms);
    jobIds.push(r.json.id);
    if (cancelAtOnce) await request('POST', `/bulk-jobs/${r.json.id}/cancel`, { body: '' });
  }
  // Keep the backlog from piling up across rounds: cancel what is left, then delete the round's jobs.
  const t = performance.now();
  let processedItems = 0;
  for (const id of jobIds) {
    const j = await getJob(id);
    processedItems += j.processed_items;
    if (!TERMINAL.includes(j.status)) {
      const c = await request('POST', `/bulk-jobs/${id}/cancel`, { body: '' });
      if (c.status !== 202 && c.status !== 409) countStatus('POST /bulk-jobs/{id}/cancel', c.status, c.text);
    }
    const d = await request('DELETE', `/bulk-jobs/${id}`);
    countStatus('DELETE /bulk-jobs/{id}', d.status, d.text);
  }
  return { ...summarize(ms), samples: ms.map((x) => r1(x)), itemsProcessedDuringRound: processedItems, cleanupS: r1((performance.now() - t) / 1000) };
}

/** Where the accept time goes: each part of the accept work, measured on its own in this process. */
async function acceptBreakdown(bodies) {
  const reps = 10;
  const time = async (fn) => {
    const xs = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    return r2(median(xs));
  };
  const out = {};
  out.jsonParseMs = await time(() => JSON.parse(bodies.json.toString('utf8')));
  const controllerJs = readFileSync(join(SNAP, 'libs/jobs/src/jobs.controller.js'), 'utf8');
  out.controllerValidatesSample = /slice\(0, 1\)/.test(controllerJs);
  try {
    const { createValidationPipe } = require(join(SNAP, 'libs/common/src/index.js'));
    const { CreateBulkJobDto } = require(join(SNAP, 'libs/jobs/src/dto/create-bulk-job.dto.js'));
    const pipe = createValidationPipe();
    const parsed = JSON.parse(bodies.json.toString('utf8'));
    out.envelopeValidationAllItemsMs = await time(() => pipe.transform(parsed, { type: 'body', metatype: CreateBulkJobDto }));
    out.envelopeValidationSampleMs = await time(() => pipe.transform({ ...parsed, items: parsed.items.slice(0, 1) }, { type: 'body', metatype: CreateBulkJobDto }));
    out.envelopeValidationMs = out.controllerValidatesSample ? out.envelopeValidationSampleMs : out.envelopeValidationAllItemsMs;
  } catch (e) {
    out.envelopeValidationMs = null;
    out.envelopeValidationError = e.message;
  }
  try {
    const { ndjsonItems } = require(join(SNAP, 'libs/jobs/src/ingest/ndjson.js'));
    out.ndjsonParseMs = await time(async () => {
      let n = 0;
      for await (const _ of ndjsonItems(Readable.from([bodies.ndjson]))) n++;
      if (n !== bodies.items.length) throw new Error('ndjson count');
    });
  } catch (e) {
    out.ndjsonParseMs = null;
    out.ndjsonParseError = e.message;
  }
  // The accept transaction with the service's own ItemWriter (from the dist copy, whatever it does: COPY or
  // multi-row INSERTs) on one plain pg client: job row, every item, UPDATE total, SELECT, COMMIT.
  const c = new Client({ connectionString: DB_URL, application_name: 'bench-accept-replica' });
  await c.connect();
  const made = [];
  try {
    const { ItemWriter } = require(join(SNAP, 'libs/jobs/src/ingest/item-writer.js'));
    const manager = { query: async (sql, params) => (await c.query(sql, params)).rows, queryRunner: { connect: async () => c } };
    out.itemWriterKind = /COPY/.test(readFileSync(join(SNAP, 'libs/jobs/src/ingest/item-writer.js'), 'utf8')) ? 'COPY FROM STDIN' : 'multi-row INSERT';
    out.dbTransactionMs = await time(async () => {
      const id = randomId('job');
      made.push(id);
      await c.query('BEGIN');
      await c.query(
        `INSERT INTO bulk_jobs (id, tenant_id, operation, status, atomic, source_format, chunk_size, total_items, webhook_url)
         VALUES ($1, $2, 'create_orders', 'cancelled', false, 'json', 1000, 0, null)`,
        [id, `replica${RUN}`],
      );
      const w = new ItemWriter(manager, id, undefined);
      for (const item of bodies.items) await w.add(item);
      if (typeof w.close === 'function') await w.close();
      else await w.flush();
      await c.query(`UPDATE bulk_jobs SET total_items = $2 WHERE id = $1`, [id, w.count]);
      await c.query(`SELECT * FROM bulk_jobs WHERE id = $1`, [id]);
      await c.query('COMMIT');
    });
    await c.query(`DELETE FROM bulk_jobs WHERE id = ANY($1::text[])`, [made]);
  } catch (e) {
    out.dbTransactionError = e.message;
    await c.query('ROLLBACK').catch(() => undefined);
  } finally {
    await c.end();
  }
  // The enqueue after commit: one addBulk of ceil(n / 1000) chunk jobs.
  const q = new Bull('accept-replica', REDIS_URL, { prefix: PREFIX });
  try {
    const chunks = Math.ceil(bodies.items.length / 1000);
    let k = 0;
    out.enqueueMs = await time(async () => {
      const j = `job_${k++}`;
      await q.addBulk(Array.from({ length: chunks }, (_, c2) => ({ name: 'x', data: { jobId: j, chunk: c2 }, opts: { jobId: `${j}:${c2}`, removeOnComplete: true } })));
    });
    await q.obliterate({ force: true }).catch(() => undefined);
  } finally {
    await q.close().catch(() => undefined);
  }
  return out;
}

async function phaseAccept() {
  const bodies = acceptBodies(CFG.acceptItems);
  const out = { items: CFG.acceptItems, jsonBytes: bodies.json.length, ndjsonBytes: bodies.ndjson.length, json: [], ndjson: [] };
  out.breakdown = await acceptBreakdown(bodies);
  log(`(d) breakdown: ${JSON.stringify(out.breakdown)}`);
  // autovacuum is off on this server: clear the dead rows of each round's deleted jobs as it would.
  const housekeeping = () => pgPool.query('VACUUM ANALYZE bulk_job_items');
  await housekeeping();
  // Fixed per-request cost: a 1-item job (same route, same transaction, same enqueue).
  const one = acceptBodies(1);
  const fixed = await acceptRound('json', one, { cancelAtOnce: true, posts: 30 });
  out.oneItemJson = { median: r1(fixed.median), p95: r1(fixed.p95), max: r1(fixed.max) };
  for (let rep = 0; rep < CFG.reps; rep++) {
    for (const format of rep % 2 ? ['ndjson', 'json'] : ['json', 'ndjson']) {
      noteLoad(`accept ${format} round ${rep + 1}`);
      const r = await acceptRound(format, bodies);
      await housekeeping();
      log(`(d) ${format} round ${rep + 1}: median ${fmt(r.median)} ms, p95 ${fmt(r.p95)} ms, max ${fmt(r.max)} ms (workers processed ${r.itemsProcessedDuringRound} items meanwhile)`);
      out[format].push(r);
    }
  }
  out.diagnostic = {};
  for (const format of ['json', 'ndjson']) {
    const r = await acceptRound(format, bodies, { cancelAtOnce: true });
    await housekeeping();
    log(`(d) ${format}, each job cancelled at once (workers ~idle): median ${fmt(r.median)} ms, p95 ${fmt(r.p95)} ms`);
    out.diagnostic[format] = r;
  }
  for (const format of ['json', 'ndjson']) {
    const rounds = out[format];
    out[`${format}Summary`] = {
      median: r1(median(rounds.map((x) => x.median))),
      p95: r1(median(rounds.map((x) => x.p95))),
      max: r1(median(rounds.map((x) => x.max))),
      roundMedians: rounds.map((x) => r1(x.median)),
      roundP95s: rounds.map((x) => r1(x.p95)),
      roundMaxes: rounds.map((x) => r1(x.max)),
    };
  }
  return out;
}

// ------------------------------------------- (h) create then update for a tenant without statistics

/** The orders statements of update_orders_status (from the dist copy), EXPLAINed for a tenant and 1000 ids. */
async function explainOrderPlans(tenant, ids) {
  const js = readFileSync(join(SNAP, 'libs/orders/src/bulk/update-orders-status.operation.js'), 'utf8');
  const literals = [...js.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
  const select = literals.find((l) => /FROM orders WHERE tenant_id = \$1/.test(l) && /FOR UPDATE/.test(l));
  const update = literals.find((l) => /UPDATE orders o/.test(l));
  const out = {};
  const plan = async (q, ps) => (await pgPool.query(`EXPLAIN ${q}`, ps)).rows.map((r) => r['QUERY PLAN']);
  try {
    out.select = await plan(select, [tenant, ids]);
  } catch (e) {
    out.selectError = e.message;
  }
  try {
    out.update = await plan(update, [tenant, ids, ids.map(() => 'paid')]);
  } catch (e) {
    out.updateError = e.message;
  }
  const byPk = (lines) => (lines ? lines.some((l) => /orders_pkey/.test(l)) : null);
  out.selectUsesPk = byPk(out.select);
  out.updateUsesPk = byPk(out.update);
  return out;
}

/** A tenant the statistics have never seen bulk-creates N orders, then moves them all pending → paid. */
async function phaseFreshTenant(n) {
  currentAuth = 'Bearer fresh-key';
  try {
    const cus = `cus_fresh${RUN}`;
    const create = await bulkE2E('create_orders (new tenant)', 'create_orders', n, (i) => `{"customer_id":"${cus}","amount":${100 + (i % 5000)},"currency":"EUR"}`);
    const ids = (await pgPool.query(`SELECT result_id FROM bulk_job_items WHERE job_id = $1 ORDER BY idx`, [create.id])).rows.map((r) => r.result_id);
    const plans = await explainOrderPlans(FRESH_TENANT, ids.slice(ids.length >> 1, (ids.length >> 1) + CFG.chunk));
    log(`(h) orders plans for the new tenant: SELECT … FOR UPDATE by primary key ${plans.selectUsesPk}, UPDATE by primary key ${plans.updateUsesPk}`);
    const update = await bulkE2E('update_orders_status (new tenant)', 'update_orders_status', ids.length, (i) => `{"id":"${ids[i]}","status":"paid"}`);
    const v = (
      await pgPool.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'paid' AND version = 2)::int AS ok FROM orders WHERE tenant_id = $1`,
        [FRESH_TENANT],
      )
    ).rows[0];
    const verified = create.verified !== false && v.n === n && v.ok === n && update.job.succeeded === n && update.job.failed === 0;
    if (!verified) result.problems.push(`new-tenant create→update ${n}: verification failed: ${JSON.stringify({ orders: v, job: update.job })}`);
    return { n, create, update, plans, check: v, verified };
  } finally {
    currentAuth = AUTH;
  }
}

// ----------------------------------------------------------------- (g) cancel of a running job

/** POST /bulk-jobs/{id}/cancel while a create_orders job of N items is processing. */
async function phaseCancel(n) {
  noteLoad('cancel probe');
  const cus = `cus_cancel${RUN}`;
  const post = await request('POST', '/bulk-jobs?operation=create_orders', {
    headers: { 'content-type': 'application/x-ndjson' },
    body: ndjsonStream(n, (i) => `{"customer_id":"${cus}","amount":${100 + (i % 5000)},"currency":"EUR"}`),
  });
  countStatus('POST /bulk-jobs (cancel probe)', post.status, post.text);
  if (post.status !== 202) throw new Error(`cancel probe POST: ${post.status} ${post.text.slice(0, 300)}`);
  const id = post.json.id;
  let job = await getJob(id);
  const until = Date.now() + 60_000;
  while (job.processed_items < 5 * CFG.chunk && !TERMINAL.includes(job.status) && Date.now() < until) {
    await sleep(200);
    job = await getJob(id);
  }
  const at = job.processed_items;
  const timeoutS = 120;
  log(`(g) cancelling job ${id} at ${at}/${n}; waiting up to ${timeoutS} s for the answer`);
  const t = performance.now();
  let watching = true;
  const seen = [];
  const watcher = (async () => {
    while (watching) {
      await sleep(1000);
      try {
        const { rows } = await pgPool.query(`SELECT status, processed_items FROM bulk_jobs WHERE id = $1`, [id]);
        seen.push({ s: r1((performance.now() - t) / 1000), status: rows[0].status, processed: rows[0].processed_items });
      } catch {
        /* best effort */
      }
    }
  })();
  const c = await request('POST', `/bulk-jobs/${id}/cancel`, { body: '', timeoutMs: timeoutS * 1000 }).catch((e) => ({ status: null, error: e.message, ms: performance.now() - t }));
  watching = false;
  await watcher;
  if (c.status !== null) countStatus('POST /bulk-jobs/{id}/cancel (probe)', c.status, c.text);
  const done = TERMINAL.includes((await getJob(id)).status) ? null : await waitTerminal(id, { deadlineMs: Date.now() + 60_000 });
  const v = (
    await pgPool.query(
      `SELECT (SELECT count(*)::int FROM orders WHERE tenant_id = $1 AND customer_id = $2) AS orders,
              (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM bulk_job_items WHERE job_id = $3 GROUP BY 1) s) AS items,
              (SELECT row_to_json(j) FROM (SELECT status, processed_items, succeeded, failed FROM bulk_jobs WHERE id = $3) j) AS job`,
      [TENANT, cus, id],
    )
  ).rows[0];
  const out = {
    id,
    items: n,
    processedAtCancel: at,
    answer: c.status,
    answerMs: r1(c.ms),
    answerCode: c.json?.code ?? null,
    error: c.error ?? null,
    processedWhileCancelWaited: seen.length ? Math.max(...seen.map((x) => x.processed)) - at : null,
    timeline: seen.filter((_, i) => i % 5 === 0),
    finalJob: v.job,
    finalItems: v.items,
    ordersCreated: v.orders,
    consistent: v.orders === v.job.succeeded && (v.items?.succeeded ?? 0) === v.job.succeeded,
    timedOutWaitingForEnd: done?.timedOut ?? false,
  };
  log(`(g) cancel answered ${c.status ?? 'nothing'} after ${fmt(c.ms / 1000)} s (${out.answerCode ?? ''}); the job processed ${out.processedWhileCancelWaited} more items meanwhile; final ${v.job.status} ${v.job.processed_items}/${n}`);
  if (c.status !== 202 || c.ms > 5000 || out.processedWhileCancelWaited > 3 * 2 * CFG.chunk)
    result.problems.push(
      `POST /bulk-jobs/{id}/cancel on a running ${n.toLocaleString('en')}-item create_orders job (at ${at.toLocaleString('en')} items) answered ${c.status ?? `nothing within ${timeoutS} s`}${out.answerCode ? ` (${out.answerCode})` : ''} after ${fmt(c.ms / 1000)} s; meanwhile the workers processed ${out.processedWhileCancelWaited?.toLocaleString('en')} more items (${fmt(out.processedWhileCancelWaited / CFG.chunk, 0)} chunks: the job row stays \`processing\` until the cancel's UPDATE of the pending items has waited out every chunk it meets, so workers keep starting new chunks); final status ${v.job.status}, ${v.job.processed_items.toLocaleString('en')} processed.`,
    );
  if (!out.consistent) result.problems.push(`cancel probe: counters and rows disagree: ${JSON.stringify(v)}`);
  return out;
}

// --------------------------------------------------------- (f) + (e during): the 1M-item job

async function phaseBig(ids, idle) {
  noteLoad('big job accept');
  const cus = `cus_big${RUN}`;
  const n = CFG.bigN;
  const samples = [];
  const sampleRss = () => samples.push({ t: performance.now(), mib: rss(API.pid) });
  const timer = setInterval(sampleRss, 50);
  await sleep(1000);
  const tPost = performance.now();
  const mark = await cpuMark(API.pid);
  const post = await request('POST', '/bulk-jobs?operation=create_orders', {
    headers: { 'content-type': 'application/x-ndjson' },
    body: ndjsonStream(n, (i) => `{"customer_id":"${cus}","amount":${100 + (i % 5000)},"currency":"EUR"}`),
  });
  sampleRss();
  clearInterval(timer);
  const acceptCpu = await cpuSince(mark, API.pid);
  countStatus('POST /bulk-jobs (1M NDJSON)', post.status, post.text);
  if (post.status !== 202) throw new Error(`big job POST answered ${post.status}: ${post.text.slice(0, 500)}`);
  const before = samples.filter((s) => s.t < tPost && s.mib !== null).map((s) => s.mib);
  const inAccept = samples.filter((s) => s.t >= tPost && s.mib !== null).map((s) => s.mib);
  const baseline = median(before);
  const peak = Math.max(...inAccept);
  const rssOut = {
    items: n,
    acceptS: r2(post.ms / 1000),
    acceptPerS: r0(n / (post.ms / 1000)),
    baselineMiB: r1(baseline),
    peakMiB: r1(peak),
    growthMiB: r1(peak - baseline),
    samples: inAccept.length,
    acceptCpu,
    series: samples.filter((_, i) => i % 20 === 0).map((s) => ({ s: r1((s.t - tPost) / 1000), mib: r0(s.mib) })),
  };
  log(`(f) 1M NDJSON accepted in ${rssOut.acceptS} s; RSS baseline ${fmt(baseline)} MiB, peak ${fmt(peak)} MiB, growth ${fmt(peak - baseline)} MiB`);
  const id = post.json.id;

  // Wait until a worker has picked it up.
  let job = await getJob(id);
  const waitUntil = Date.now() + 120_000;
  while (job.status === 'pending' && Date.now() < waitUntil) job = await getJob(id, 5);
  const tProcessing = performance.now();
  const plansBefore = await explainChunkPlans(id, 500 * CFG.chunk).catch((e) => ({ error: e.message }));
  log(`(e) job ${id} is ${job.status} (${job.processed_items}/${job.total_items}); writeOutcomes plan scans the whole job: ${plansBefore.writeOutcomesScansWholeJob}; measuring GET /orders/{id} during it`);
  const windows = [];
  const procRss = [];
  const rssTimer = setInterval(() => procRss.push(rss(API.pid)), 500);
  const activity = startActivitySampler();
  for (let w = 0; w < CFG.reps && job.status === 'processing'; w++) {
    noteLoad(`during window ${w + 1}`);
    const p0 = job.processed_items;
    const t = performance.now();
    const r = await cannon(ids, `during ${w + 1}`);
    job = await getJob(id);
    r.jobItemsPerS = r0((job.processed_items - p0) / ((performance.now() - t) / 1000));
    r.jobStatusAfter = job.status;
    windows.push(r);
    log(`(e) during ${w + 1}: p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.rps} req/s; job meanwhile ${r.jobItemsPerS} items/s`);
  }
  const duringOut = { windows, activity: await activity() };
  if (windows.length < CFG.reps) result.notes.push(`Only ${windows.length} "during" windows: the 1M job ended before the others could start.`);

  // Diagnostics: the job's own pace without HTTP load, then with bulk_job_items statistics refreshed.
  const pace = async (label, seconds) => {
    const j0 = await getJob(id);
    const t = performance.now();
    await sleep(seconds * 1000);
    const j1 = await getJob(id);
    const ended = j1.status !== 'processing';
    const v = ended ? null : r0((j1.processed_items - j0.processed_items) / ((performance.now() - t) / 1000));
    log(`(e) 1M job pace ${label}: ${ended ? `n/a (the job ended during the window: ${j1.status})` : `${v} items/s`}`);
    job = j1;
    return v;
  };
  const diag = {};
  if (job.status === 'processing') diag.paceNoHttpLoad = await pace('without HTTP load', 10);
  if (job.status === 'processing') {
    const t = performance.now();
    await pgPool.query('ANALYZE bulk_job_items');
    diag.analyzeMs = r0(performance.now() - t);
    diag.plansAfterAnalyze = await explainChunkPlans(id, 900 * CFG.chunk).catch((e) => ({ error: e.message }));
    await sleep(2000);
    diag.paceAfterAnalyze = await pace('after ANALYZE bulk_job_items', 10);
  }

  // Finish it if that fits the time budget, otherwise cancel it.
  job = await getJob(id);
  const sinceStart = (performance.now() - tProcessing) / 1000;
  const rate = diag.paceAfterAnalyze ?? job.processed_items / Math.max(1, sinceStart);
  const remainingS = (job.total_items - job.processed_items) / Math.max(1, rate);
  const leftS = CFG.budgetS - measuredElapsed() - 60;
  let outcome;
  const tEnd0 = performance.now();
  if (!TERMINAL.includes(job.status) && remainingS <= leftS) {
    log(`(e) letting the 1M job finish (≈${remainingS.toFixed(0)} s left at ${rate.toFixed(0)} items/s)`);
    const done = await waitTerminal(id, {
      deadlineMs: Date.now() + leftS * 1000,
      onProgress: (j) => log(`  1M job: ${j.status} ${j.processed_items}/${j.total_items}`),
    });
    job = done.job;
    outcome = done.timedOut ? 'ran out of budget' : job.status;
  }
  if (!outcome && TERMINAL.includes(job.status)) outcome = `${job.status} during the measurements`;
  let cancel = null;
  if (!TERMINAL.includes(job.status)) {
    const cancelTimeoutS = 60;
    log(`(e) cancelling the 1M job at ${job.processed_items}/${job.total_items} (≈${remainingS.toFixed(0)} s would be left; budget allows ${leftS.toFixed(0)} s); waiting up to ${cancelTimeoutS} s for the answer`);
    const at = job.processed_items;
    const t = performance.now();
    const c = await request('POST', `/bulk-jobs/${id}/cancel`, { body: '', timeoutMs: cancelTimeoutS * 1000 }).catch((e) => ({ status: null, error: e.message, ms: performance.now() - t }));
    cancel = { status: c.status, ms: r1(c.ms), processedAtCancel: at };
    if (c.status === null) {
      // Still waiting: what is the cancel's transaction doing?
      cancel.timedOutAfterS = cancelTimeoutS;
      cancel.backends = (
        await pgPool.query(
          `SELECT state, wait_event_type, wait_event, round(extract(epoch FROM now() - query_start))::int AS secs, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query
             FROM pg_stat_activity WHERE datname = $1 AND application_name = 'bulk-rest-service' AND state <> 'idle' ORDER BY query_start`,
          [CFG.dbName],
        )
      ).rows;
      const j = await getJob(id);
      cancel.statusWhileWaiting = j.status;
      cancel.processedWhileWaiting = j.processed_items - at;
      log(`(e) cancel did not answer within ${cancelTimeoutS} s; meanwhile the job stayed ${j.status} and processed ${j.processed_items - at} more items`);
      outcome = `cancel did not answer within ${cancelTimeoutS} s; API stopped`;
    } else {
      countStatus('POST /bulk-jobs/{id}/cancel (1M)', c.status, c.text);
      outcome = outcome ?? `cancel answered ${c.status}`;
    }
  }
  clearInterval(rssTimer);
  const processingS = (performance.now() - tProcessing) / 1000;
  // Stop the API before checking: no chunk in flight while we count.
  const tStop = performance.now();
  await stopProcess(API.handle, 40_000);
  const stopS = r1((performance.now() - tStop) / 1000);
  const v = (
    await pgPool.query(
      `SELECT (SELECT count(*)::int FROM orders WHERE tenant_id = $1 AND customer_id = $2) AS orders,
              (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM bulk_job_items WHERE job_id = $3 GROUP BY 1) s) AS items,
              (SELECT row_to_json(j) FROM (SELECT status, processed_items, succeeded, failed FROM bulk_jobs WHERE id = $3) j) AS job`,
      [TENANT, cus, id],
    )
  ).rows[0];
  const dbJob = v.job;
  const consistent =
    v.orders === dbJob.succeeded && (v.items?.succeeded ?? 0) === dbJob.succeeded && dbJob.processed_items === dbJob.succeeded + dbJob.failed &&
    (dbJob.status !== 'completed' || v.orders === n);
  if (!consistent) result.problems.push(`1M create_orders: counters and rows disagree: ${JSON.stringify({ job: dbJob, orders: v.orders, items: v.items })}`);
  const bigJob = {
    id,
    outcome,
    status: dbJob.status,
    processed: dbJob.processed_items,
    succeeded: dbJob.succeeded,
    failed: dbJob.failed,
    ordersCreated: v.orders,
    itemStatuses: v.items,
    consistent,
    processingWallS: r1(processingS),
    itemsPerSWhileProcessing: r0(dbJob.processed_items / processingS),
    decision: { rateItemsPerS: r0(rate), remainingEstS: r0(remainingS), budgetLeftS: r0(leftS) },
    cancel,
    apiStopS: stopS,
    waitAfterWindowsS: r1((performance.now() - tEnd0) / 1000),
    rssWhileProcessingMaxMiB: r1(Math.max(...procRss.filter((x) => x !== null))),
    plansBefore,
    diag,
  };
  const p99During = median(windows.map((w) => w.p99));
  const p50During = median(windows.map((w) => w.p50));
  return {
    rss: rssOut,
    during: { ...duringOut, p99: r1(p99During), p50: r1(p50During) },
    bigJob,
    ratioP99: r2(p99During / idle.p99),
    ratioP50: r2(p50During / idle.p50),
  };
}

// ----------------------------------------------------------------------------------- report

function verdict(ok) {
  return ok ? '**met**' : '**MISSED**';
}

/** Plan lines for the report: long literal arrays shortened. */
const planText = (lines) => (lines ?? []).map((l) => (l.length > 220 ? `${l.slice(0, 200)}… (${l.length} chars)` : l));

function writeReport() {
  writeFileSync(join(HERE, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  const P = result.phases;
  const m = result.machine ?? {};
  const L = [];
  L.push('# Bulk jobs bench', '');
  L.push(
    `Run ${result.run}, ${m.date ?? ''}: ${m.nproc} cores (${m.cpuModel}), ${m.totalMemGiB} GiB, Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}. ` +
      `Load average at start ${JSON.stringify(m.loadavg)} — the machine is shared and noisy (other engineers' tests run on the same 2 cores); see "Load" below. ` +
      `Total runtime ${fmt(result.totalS)} s (${fmt(result.waitAndBuildS)} s waiting for other benches and building, ${fmt(result.measuredS)} s measuring and cleaning up).`,
    '',
  );
  if (result.error) L.push(`**The run failed:** \`${result.error}\` — figures below are partial.`, '');
  L.push('Reproduce: `npm run bench -- bulk` (or `node bench/bulk/index.mjs`). Knobs are listed at the top of `bench/bulk/index.mjs`.', '');

  const raw = P.raw;
  const upd = P.update;
  const cre = P.create;
  const naive = P.naive;
  const acc = P.accept;
  const idle = P.idle;
  const big = P.big;
  L.push('## Results against the targets', '');
  L.push('| measurement | figure | compared with | ratio | target | verdict |', '|---|---|---|---|---|---|');
  if (upd && raw)
    L.push(
      `| (b) update_orders_status ${CFG.n.toLocaleString('en')} items, POST → completed (NDJSON, once) | ${upd.perS.toLocaleString('en')} items/s (${upd.totalS} s) | (a) raw set-based UPDATE, 1 connection: ${raw.updatePerS.toLocaleString('en')} items/s (median of ${raw.reps.length}) | ${fmt(upd.perS / raw.updatePerS, 2)} × raw | ≥ 0.5 × raw | ${verdict(upd.perS >= 0.5 * raw.updatePerS)} |`,
    );
  if (upd && naive)
    L.push(
      `| (b) same, against the naive baseline | ${upd.perS.toLocaleString('en')} items/s | (c) naive Bull job + ORM save per item, concurrency 2: ${naive.perS.toLocaleString('en')} items/s | ${fmt(upd.perS / naive.perS, 1)} × naive | ≥ 20 × naive | ${verdict(upd.perS >= 20 * naive.perS)} |`,
    );
  if (acc) {
    L.push(
      `| (d) accept a ${CFG.acceptItems.toLocaleString('en')}-item JSON create_orders POST | median ${fmt(acc.jsonSummary.median)} ms, p95 ${fmt(acc.jsonSummary.p95)} ms, max ${fmt(acc.jsonSummary.max)} ms | 100 ms | ${fmt(acc.jsonSummary.median / 100, 2)} × target | median ≤ 100 ms | ${verdict(acc.jsonSummary.median <= 100)} |`,
    );
    L.push(
      `| (d) accept a ${CFG.acceptItems.toLocaleString('en')}-item NDJSON create_orders POST | median ${fmt(acc.ndjsonSummary.median)} ms, p95 ${fmt(acc.ndjsonSummary.p95)} ms, max ${fmt(acc.ndjsonSummary.max)} ms | 100 ms | ${fmt(acc.ndjsonSummary.median / 100, 2)} × target | median ≤ 100 ms | ${verdict(acc.ndjsonSummary.median <= 100)} |`,
    );
  }
  if (big && idle)
    L.push(
      `| (e) GET /orders/{id} p99 while a ${CFG.bigN.toLocaleString('en')}-item create_orders job runs | ${fmt(big.during.p99)} ms (p50 ${fmt(big.during.p50)} ms) | idle p99 ${fmt(idle.p99)} ms (p50 ${fmt(idle.p50)} ms) | ${fmt(big.ratioP99, 2)} × idle (p50: ${fmt(big.ratioP50, 2)} ×) | ≤ 3 × idle | ${verdict(big.ratioP99 <= 3)} |`,
    );
  if (big)
    L.push(
      `| (f) API RSS growth while accepting a ${CFG.bigN.toLocaleString('en')}-line NDJSON upload | +${fmt(big.rss.growthMiB)} MiB (baseline ${fmt(big.rss.baselineMiB)}, peak ${fmt(big.rss.peakMiB)} MiB) | 150 MB | ${fmt(big.rss.growthMiB / 150, 2)} × target | ≤ 150 MB | ${verdict(big.rss.growthMiB <= 150)} |`,
    );
  L.push('');
  const missed = [];
  if (upd && raw && upd.perS < 0.5 * raw.updatePerS) missed.push(`update throughput is ${fmt(upd.perS / raw.updatePerS, 2)} × raw (target 0.5 ×): ${Math.round(0.5 * raw.updatePerS - upd.perS).toLocaleString('en')} items/s short`);
  if (upd && naive && upd.perS < 20 * naive.perS) missed.push(`update throughput is ${fmt(upd.perS / naive.perS, 1)} × naive (target 20 ×)`);
  if (acc && acc.jsonSummary.median > 100) missed.push(`JSON accept median ${fmt(acc.jsonSummary.median)} ms (target 100 ms, ${fmt(acc.jsonSummary.median / 100, 1)} ×)`);
  if (acc && acc.ndjsonSummary.median > 100) missed.push(`NDJSON accept median ${fmt(acc.ndjsonSummary.median)} ms (target 100 ms, ${fmt(acc.ndjsonSummary.median / 100, 1)} ×)`);
  if (big && idle && big.ratioP99 > 3) missed.push(`p99 during the big job is ${fmt(big.ratioP99, 1)} × idle (target 3 ×)`);
  if (big && big.rss.growthMiB > 150) missed.push(`RSS growth ${fmt(big.rss.growthMiB)} MiB (target 150 MB)`);
  L.push(missed.length ? `**Missed:** ${missed.join('; ')}.` : '**All targets met.**', '');

  L.push('## All figures', '');
  L.push('| | figure | notes |', '|---|---|---|');
  if (raw) {
    L.push(`| (a) raw UPDATE … FROM unnest, chunks of 1000, 1 connection | ${raw.updatePerS.toLocaleString('en')} items/s | median of ${raw.reps.length}: ${raw.reps.map((r) => r.updatePerS).join(', ')}; verified ${raw.verified} |`);
    L.push(`| (a) raw INSERT … SELECT FROM unnest (multi-row), chunks of 1000, 1 connection | ${raw.insertPerS.toLocaleString('en')} items/s | median of ${raw.reps.length}: ${raw.reps.map((r) => r.insertPerS).join(', ')} |`);
    const st = raw.reps[0]?.staleStats;
    if (st)
      L.push(
        `| (a) one 1000-row chunk of that UPDATE right after the INSERT, before / after ANALYZE (rolled back) | ${fmt(st.chunkMsBeforeAnalyze)} ms / ${fmt(st.chunkMsAfterAnalyze)} ms | ${st.chunkMsBeforeAnalyze > 3 * st.chunkMsAfterAnalyze ? 'without statistics for the freshly inserted tenant the plan is far slower (it scans the tenant instead of probing the primary key) — update_orders_status issues this same statement, so it inherits this for orders not yet analyzed (e.g. just created by create_orders); ' : ''}the raw figures above are measured after ANALYZE |`,
      );
    L.push(`| (a) raw, 2 connections (once) | update ${raw.twoConnections.updatePerS.toLocaleString('en')}/s, insert ${raw.twoConnections.insertPerS.toLocaleString('en')}/s | the service runs 2 workers |`);
  }
  const updA = P.updateAnalyzed;
  for (const [k, r] of [
    ['update_orders_status', upd],
    ['update_orders_status paid→shipped, bulk_job_items ANALYZEd right after the 202 (diagnostic)', updA],
    ['create_orders', cre],
  ]) {
    if (!r) continue;
    L.push(
      `| (b) ${k} ${r.n.toLocaleString('en')} via NDJSON (once) | ${r.perS.toLocaleString('en')} items/s POST → completed (${r.totalS} s) | accept ${r.acceptS} s (${r0(r.n / r.acceptS).toLocaleString('en')} items/s), processing ${r.processingS} s (${r.processingPerS.toLocaleString('en')} items/s); API CPU ${r.cpu.apiCpuPct} % of a core, Postgres backends ${r.cpu.pgCpuPct} %; verified ${r.verified} |`,
    );
  }
  for (const [k, r] of [
    ['update_orders_status', upd],
    ['update_orders_status (analyzed)', updA],
    ['create_orders', cre],
  ]) {
    if (!r?.plans) continue;
    L.push(
      `| (b) ${k}: per-chunk plans on bulk_job_items | writeOutcomes ${r.plans.writeOutcomesScansWholeJob ? '**reads the whole job per chunk**' : 'index probe per item'}; duplicates ${r.plans.duplicatesScansWholeJob ? '**reads the whole job per chunk**' : 'index probe per item'} | EXPLAIN of job-runner's statements for this job right after the 202; concurrent chunk transactions seen: max ${r.activity?.maxConcurrentTransactions ?? '?'} (histogram ${JSON.stringify(r.activity?.concurrentTransactionsHistogram ?? {})}) |`,
    );
  }
  const fr = P.fresh;
  if (fr) {
    L.push(
      `| (h) new tenant (absent from the statistics): create_orders ${fr.n.toLocaleString('en')} then update_orders_status of those orders pending→paid (once each) | create ${fr.create.perS.toLocaleString('en')} items/s, update ${fr.update.perS.toLocaleString('en')} items/s (processing ${fr.update.processingPerS.toLocaleString('en')}/s) | vs tenant \`bench\` (analyzed): update ${upd ? `${fmt(fr.update.perS / upd.perS, 2)} ×` : '?'}; orders SELECT … FOR UPDATE by primary key: ${fr.plans.selectUsesPk}, UPDATE by primary key: ${fr.plans.updateUsesPk}; verified ${fr.verified} |`,
    );
  }
  if (upd && updA) L.push(`| (b) update throughput with fresh statistics vs as measured | ${fmt(updA.perS / upd.perS, 2)} × (${updA.perS.toLocaleString('en')} vs ${upd.perS.toLocaleString('en')} items/s) | ${raw ? `${fmt(updA.perS / raw.updatePerS, 2)} × raw` : ''}; processing only ${updA.processingPerS.toLocaleString('en')} items/s |`);
  if (cre && raw) L.push(`| (b) create_orders vs raw INSERT | ${fmt(cre.perS / raw.insertPerS, 2)} × raw | processing only: ${fmt(cre.processingPerS / raw.insertPerS, 2)} × raw |`);
  if (upd && raw) L.push(`| (b) update_orders_status processing only vs raw UPDATE | ${fmt(upd.processingPerS / raw.updatePerS, 2)} × raw | accept excluded |`);
  if (naive)
    L.push(
      `| (c) naive: Bull job per item + TypeORM findOneBy/save, concurrency 2 (once) | ${naive.perS.toLocaleString('en')} items/s | ${naive.items.toLocaleString('en')} of ${naive.enqueued.toLocaleString('en')} enqueued items done in ${naive.totalS} s incl. enqueue (${naive.enqueueS} s)${naive.cappedAfterS ? `; stopped after ${naive.cappedAfterS} s and extrapolated` : ''}; worker CPU ${naive.cpu.apiCpuPct} %; every paid order has version 2: ${naive.verified} |`,
    );
  if (acc) {
    L.push(`| (d) accept 1-item JSON job (fixed cost, 30 POSTs, each cancelled) | median ${fmt(acc.oneItemJson.median)} ms, p95 ${fmt(acc.oneItemJson.p95)} ms | |`);
    for (const f of ['json', 'ndjson']) {
      const s = acc[`${f}Summary`];
      L.push(`| (d) accept ${CFG.acceptItems.toLocaleString('en')}-item ${f.toUpperCase()}, ${CFG.acceptPosts} sequential POSTs × ${acc[f].length} rounds | median ${fmt(s.median)} ms, p95 ${fmt(s.p95)} ms, max ${fmt(s.max)} ms | round medians ${s.roundMedians.join(', ')}; p95 ${s.roundP95s.join(', ')}; max ${s.roundMaxes.join(', ')} (workers busy with the earlier POSTs' jobs) |`);
      const d = acc.diagnostic?.[f];
      if (d) L.push(`| (d) same, ${f.toUpperCase()}, each job cancelled right after 202 (workers ~idle; once) | median ${fmt(d.median)} ms, p95 ${fmt(d.p95)} ms, max ${fmt(d.max)} ms | |`);
    }
  }
  const cp = P.cancel;
  if (cp)
    L.push(
      `| (g) POST /bulk-jobs/{id}/cancel on a running ${cp.items.toLocaleString('en')}-item create_orders job, sent at ${cp.processedAtCancel.toLocaleString('en')} items (once) | ${cp.answer === null ? `no answer within ${fmt(cp.answerMs / 1000)} s` : `${cp.answer}${cp.answerCode ? ` ${cp.answerCode}` : ''} after ${fmt(cp.answerMs)} ms`} | workers processed ${cp.processedWhileCancelWaited?.toLocaleString('en') ?? '?'} more items while the cancel waited; final: ${cp.finalJob.status}, ${cp.finalJob.processed_items.toLocaleString('en')} processed, items ${JSON.stringify(cp.finalItems)}; orders = succeeded: ${cp.consistent} |`,
    );
  if (idle) L.push(`| (e) GET /orders/{id} idle, ${CFG.acConnections} connections × ${CFG.acDuration} s, random ids | p50 ${fmt(idle.p50)} ms, p99 ${fmt(idle.p99)} ms | ${idle.runs.length} runs: p99 ${idle.runs.map((r) => r.p99).join(', ')}; ${idle.runs.map((r) => r.rps).join(', ')} req/s |`);
  if (big) {
    L.push(`| (e) same during the ${CFG.bigN.toLocaleString('en')}-item job | p50 ${fmt(big.during.p50)} ms, p99 ${fmt(big.during.p99)} ms | ${big.during.windows.length} windows: p99 ${big.during.windows.map((r) => r.p99).join(', ')}; ${big.during.windows.map((r) => r.rps).join(', ')} req/s; job meanwhile ${big.during.windows.map((r) => r.jobItemsPerS).join(', ')} items/s |`);
    L.push(`| (f) accept of the ${CFG.bigN.toLocaleString('en')}-line NDJSON upload | ${big.rss.acceptS} s (${big.rss.acceptPerS.toLocaleString('en')} items/s) | RSS baseline ${fmt(big.rss.baselineMiB)} MiB → peak ${fmt(big.rss.peakMiB)} MiB (${big.rss.samples} samples at 50 ms); API CPU ${big.rss.acceptCpu.apiCpuPct} %, Postgres ${big.rss.acceptCpu.pgCpuPct} % |`);
    const b = big.bigJob;
    if (b.diag)
      L.push(
        `| the ${CFG.bigN.toLocaleString('en')}-item job's pace (diagnostic, 10 s each; n/a = the job ended within the window) | ${fmt(b.diag.paceNoHttpLoad)} items/s without HTTP load; ${fmt(b.diag.paceAfterAnalyze)} items/s after ANALYZE bulk_job_items (${fmt(b.diag.analyzeMs)} ms) | writeOutcomes plan before: ${b.plansBefore?.writeOutcomesScansWholeJob ? 'reads the whole job per chunk' : 'index probe'}; after ANALYZE: ${b.diag.plansAfterAnalyze?.writeOutcomesScansWholeJob ? 'reads the whole job per chunk' : 'index probe'} |`,
      );
    if (b.cancel)
      L.push(
        `| POST /bulk-jobs/{id}/cancel on the running ${CFG.bigN.toLocaleString('en')}-item job | ${b.cancel.status === null ? `**no answer within ${b.cancel.timedOutAfterS} s**` : `${b.cancel.status} in ${fmt(b.cancel.ms)} ms`} | ${b.cancel.status === null ? `job stayed ${b.cancel.statusWhileWaiting} and processed ${b.cancel.processedWhileWaiting.toLocaleString('en')} more items while the cancel waited; backends: ${(b.cancel.backends ?? []).map((x) => `${x.wait_event_type ?? 'CPU'}:${x.wait_event ?? ''} ${x.secs}s \`${x.query.slice(0, 60)}\``).join('; ')}` : ''} API stop (SIGTERM) took ${b.apiStopS} s |`,
      );
    L.push(
      `| the ${CFG.bigN.toLocaleString('en')}-item job itself | ${b.outcome}: ${b.processed.toLocaleString('en')} processed in ${b.processingWallS} s (${b.itemsPerSWhileProcessing.toLocaleString('en')} items/s, with autocannon running part of the time) | ${b.cancel ? `cancel answered ${b.cancel.status} in ${b.cancel.ms} ms; ` : ''}orders created ${b.ordersCreated.toLocaleString('en')} = succeeded ${b.succeeded.toLocaleString('en')}: ${b.consistent ? 'consistent' : 'INCONSISTENT'}; RSS while processing ≤ ${fmt(b.rssWhileProcessingMaxMiB)} MiB |`,
    );
  }
  L.push('');

  if (acc?.breakdown) {
    const b = acc.breakdown;
    L.push(`## Where the accept time goes (${CFG.acceptItems.toLocaleString('en')} items)`, '');
    L.push(
      'Each part of the accept work measured on its own in the bench process (median of 10), next to the measured request latency. ' +
        'The parts run on the API\'s event loop (CPU) or as SQL round trips in the accept transaction.',
      '',
    );
    L.push('| part | ms |', '|---|---|');
    L.push(`| fixed per-request cost (1-item job: auth, guards, transaction, job row, enqueue, response) | ${fmt(acc.oneItemJson.median)} |`);
    L.push(`| JSON.parse of the ${(acc.jsonBytes / 1024).toFixed(0)} KiB body (express json) | ${fmt(b.jsonParseMs)} |`);
    L.push(
      `| envelope ValidationPipe of CreateBulkJobDto — the built controller validates ${b.controllerValidatesSample ? 'a 1-item sample' : 'the whole items array'} | ${fmt(b.envelopeValidationMs)} (whole 10k array: ${fmt(b.envelopeValidationAllItemsMs)}; 1-item sample: ${fmt(b.envelopeValidationSampleMs)}) |`,
    );
    L.push(`| NDJSON line parsing (ndjsonItems from dist) | ${fmt(b.ndjsonParseMs)} |`);
    L.push(`| accept transaction with the service's ItemWriter (${b.itemWriterKind ?? '?'}), from one plain pg client: job row, per-item serialisation, items, UPDATE, SELECT, COMMIT | ${fmt(b.dbTransactionMs)}${b.dbTransactionError ? ` (error: ${b.dbTransactionError})` : ''} |`);
    L.push(`| Bull addBulk of ${Math.ceil(CFG.acceptItems / 1000)} chunk jobs | ${fmt(b.enqueueMs)} |`);
    const jsonSum = (b.jsonParseMs ?? 0) + (b.envelopeValidationMs ?? 0) + (b.dbTransactionMs ?? 0) + (b.enqueueMs ?? 0);
    const ndSum = (b.ndjsonParseMs ?? 0) + (b.dbTransactionMs ?? 0) + (b.enqueueMs ?? 0);
    L.push(`| **sum of parts, JSON** / measured median idle workers / busy workers | ${fmt(jsonSum)} / ${fmt(acc.diagnostic?.json?.median)} / ${fmt(acc.jsonSummary.median)} |`);
    L.push(`| **sum of parts, NDJSON** / measured median idle workers / busy workers | ${fmt(ndSum)} / ${fmt(acc.diagnostic?.ndjson?.median)} / ${fmt(acc.ndjsonSummary.median)} |`);
    L.push('');
  }

  for (const [k, r] of [
    ['update_orders_status', upd],
    ['update_orders_status (analyzed)', P.updateAnalyzed],
    ['create_orders', cre],
    ['update_orders_status of the new tenant', P.fresh?.update],
    ['the 1M job (during windows)', big?.during],
  ]) {
    if (!r?.activity) continue;
    L.push(`### Postgres activity during ${k} (pg_stat_activity every 250 ms, service connections)`, '');
    L.push(`Average active backends ${r.activity.avgActive}, idle in transaction ${r.activity.avgIdleInTransaction}, waiting on a lock ${r.activity.avgLockWaiting}; at most ${r.activity.maxConcurrentTransactions} backends in a transaction at once.`, '');
    L.push('| wait (active backends) | avg |', '|---|---|', ...r.activity.topWaits.map((w) => `| ${w.key} | ${w.avg} |`), '');
    L.push('| statement (active) | avg |', '|---|---|', ...r.activity.topQueries.map((w) => `| \`${w.key.replace(/\|/g, '\\|')}\` | ${w.avg} |`), '');
  }

  if (big?.bigJob?.plansBefore?.writeOutcomes) {
    L.push(`### Plan of the per-chunk \`UPDATE bulk_job_items … FROM unnest\` (writeOutcomes) for the ${CFG.bigN.toLocaleString('en')}-item job`, '');
    L.push('As the job ran (statistics as the server had them; autovacuum is off here):', '', '```', ...planText(big.bigJob.plansBefore.writeOutcomes), '```', '');
    if (big.bigJob.diag?.plansAfterAnalyze?.writeOutcomes) L.push('After `ANALYZE bulk_job_items`:', '', '```', ...planText(big.bigJob.diag.plansAfterAnalyze.writeOutcomes), '```', '');
  }
  if (P.fresh?.plans?.select) {
    L.push(`update_orders_status's orders statements for the new tenant \`${FRESH_TENANT}\` (1000 of its ids), before any ANALYZE of its orders:`, '', '```', ...planText(P.fresh.plans.select), '```', '', '```', ...planText(P.fresh.plans.update ?? [P.fresh.plans.updateError]), '```', '');
  }
  if (upd?.plans?.duplicates) L.push(`Duplicate check (update_orders_status, job-runner's \`… e.dedupe_key = c.k AND e.idx < c.idx …\`) for the ${CFG.n.toLocaleString('en')}-item update job, as it ran:`, '', '```', ...planText(upd.plans.duplicates), '```', '');
  if (upd?.plans?.writeOutcomes) L.push(`writeOutcomes for the ${CFG.n.toLocaleString('en')}-item update job, as it ran:`, '', '```', ...planText(upd.plans.writeOutcomes), '```', '');

  L.push('## Problems observed in the service', '');
  const probs = [...result.problems];
  for (const [k, v] of Object.entries(result.httpProblems ?? {})) probs.push(`${k} × ${v.count} (e.g. \`${v.sample.replace(/\s+/g, ' ').slice(0, 200)}\`)`);
  if (result.apiLog) probs.push(`API log (LOG_LEVEL=warn): ${result.apiLog.lines} lines, ${result.apiLog.errors} ERROR, ${result.apiLog.warns} WARN${result.apiLog.sample.length ? `; e.g. ${result.apiLog.sample.map((s) => `\`${s}\``).join('; ')}` : ''}`);
  L.push(...(probs.length ? probs.map((p) => `- ${p}`) : ['- none recorded']), '');

  L.push('## Method', '');
  L.push(
    `- Build: ${result.dist?.build ?? 'n/a'}; the API ran from a private copy of dist/ (\`node bench/bulk/.work/dist/apps/api/src/main.js\`, the same files as \`dist/apps/api/src/main.js\`), dist built ${result.dist?.distBuiltAt ?? '?'}` +
      `${result.dist?.sourcesNewerThanDist?.length ? `; sources edited after that build (not in the measured code): ${result.dist.sourcesNewerThanDist.join(', ')}` : ''}.`,
    `- API env: RUN_WORKERS=true (the API process runs the workers, WORKER_CONCURRENCY default 2, BULK_CHUNK_SIZE default 1000), LOG_LEVEL=warn, API_KEYS=${result.api?.env?.API_KEYS ?? '?'}, CURSOR_SECRET=x, BULL_PREFIX=${result.api?.env?.BULL_PREFIX ?? PREFIX}, RATE_LIMIT_PER_MINUTE=1e9 (limiter on, never blocking), DB pool 20 (default).`,
    `- Database \`${CFG.dbName}\` dropped and recreated, schema by \`runMigrations\` from the dist copy; ${CFG.n.toLocaleString('en')} pending orders of tenant \`bench\` (ids \`ord_\` + 20 hex chars of md5: random order relative to insertion) and ${CFG.naiveN.toLocaleString('en')} of tenant \`naive\`, one INSERT … SELECT generate_series each, then VACUUM ANALYZE.`,
    `- (a) one plain \`pg\` client, autocommit (each chunk statement is its own transaction): ${CFG.n.toLocaleString('en')} orders with random ids INSERTed in chunks of 1000 (the same INSERT … SELECT FROM unnest that create_orders uses), then ANALYZE, then UPDATEd pending→paid in the same order with the brief's statement; rows deleted and VACUUM ANALYZE after each of the ${CFG.reps} reps. One extra rep with 2 connections sharing the chunks.`,
    `- (b) POST /bulk-jobs?operation=… with \`application/x-ndjson\`, the body generated as a stream; time from the POST to the GET /bulk-jobs/{id} (\`Prefer: wait=30\`) that returns \`completed\`. The update list is the seed order (created_at). Verified by SQL: every order paid with version 2 (applied exactly once), job counters exact, every item succeeded; create_orders: order count by a unique customer_id and every item's result_id joins an order. Long measurements: once each.`,
    `- (c) bench/bulk/naive-worker.mjs as its own process: Bull queue, \`process('update', 2, …)\`, per job \`repo.findOneBy({ tenantId, id })\`, the service's \`transition()\` check, \`repo.save(order)\` (TypeORM loads the row again and updates it in its own transaction). The bench enqueues ${CFG.naiveN.toLocaleString('en')} jobs (addBulk of 1000) and stops the clock when SQL sees every order paid, or after ${CFG.naiveMaxS} s (then items/s = orders paid by then / time). Once.`,
    `- (d) ${CFG.acceptPosts} sequential POSTs per round on one keep-alive connection, timed from before the request is written to the last response byte; bodies prebuilt (JSON ${(acc?.jsonBytes / 1024).toFixed?.(0) ?? '?'} KiB, NDJSON ${(acc?.ndjsonBytes / 1024).toFixed?.(0) ?? '?'} KiB). The workers start on each job at once, so later POSTs of a round compete with chunk processing in the same process. After each round the round's jobs are cancelled and deleted. ${CFG.reps} rounds per format (alternating order), medians of the round figures.`,
    `- (e) autocannon ${CFG.acConnections} connections × ${CFG.acDuration} s, GET /orders/{id} with a random existing id per request (setupRequest); latency percentiles computed from every response time autocannon reports (float ms), autocannon's own integer-ms p99 kept in results.json. Idle: ${CFG.reps} runs before any job. During: up to ${CFG.reps} back-to-back windows starting once the 1M job is \`processing\` (its accept phase is not included).`,
    `- (h) a second API key (tenant \`${FRESH_TENANT}\`, never seen by ANALYZE): create_orders of ${CFG.n.toLocaleString('en')} items, then update_orders_status of exactly those orders (ids from the job's results) pending→paid, both via NDJSON, no ANALYZE in between — the "import, then update" flow of a new tenant.`,
    `- (g) a ${CFG.n.toLocaleString('en')}-item create_orders job (NDJSON); once it has processed 5 chunks, POST /bulk-jobs/{id}/cancel (timeout 120 s), the job row sampled every second meanwhile; then counts checked by SQL.`,
    `- (f) /proc/<api pid>/status VmRSS every 50 ms from 1 s before the POST until the 202; baseline = median of the samples before the POST. The bench process itself streams the NDJSON (1000 lines per read) over one connection.`,
    `- autovacuum is ${result.machine?.autovacuum ?? '?'} on this PostgreSQL server, so statistics and dead rows change only when the bench says so: VACUUM ANALYZE of orders after seeding, after (a)'s reps and after create_orders; VACUUM ANALYZE of bulk_job_items between (d)'s rounds (whose jobs are deleted) and before the 1M job. Bulk jobs' items are never analyzed before their chunks run, except in the two marked diagnostics.`,
    `- The bench process (client, autocannon, samplers) shares the 2 cores with the API, its workers and Postgres; absolute numbers are modest for that reason, ratios are the point.`,
    '',
  );
  if (result.notes.length) L.push('Notes:', '', ...result.notes.map((n) => `- ${n}`), '');
  L.push('## Load', '', `Load averages (1, 5, 15 min) at phase starts: ${result.load.map((l) => `${l.phase} ${l.loadavg[0]}`).join('; ')}.`, '');
  writeFileSync(join(HERE, 'REPORT.md'), L.join('\n'));
}

// ------------------------------------------------------------------------------------- main

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  await stopAll().catch(() => undefined);
  try {
    result.redisKeysDeleted = await cleanRedis();
  } catch (e) {
    log(`redis cleanup failed: ${e.message}`);
  }
  await pgPool?.end().catch(() => undefined);
  if (!CFG.keepDb) {
    try {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${CFG.dbName} WITH (FORCE)`));
      result.databaseDropped = true;
    } catch (e) {
      log(`drop database failed: ${e.message}`);
    }
  }
  agent.destroy();
}

process.on('exit', killAllSync);
process.on('unhandledRejection', (e) => log(`unhandled rejection: ${e?.stack ?? e}`));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  mkdirSync(WORK, { recursive: true });
  await waitForQuiet();
  result.dist = await buildAndSnapshot();
  TM = Date.now();
  result.waitAndBuildS = r1(elapsed());
  const pgVersion = await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${CFG.dbName} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${CFG.dbName}`);
    return { version: (await c.query('SHOW server_version')).rows[0].server_version, autovacuum: (await c.query('SHOW autovacuum')).rows[0].autovacuum };
  });
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  const redisVersion = /redis_version:(\S+)/.exec(await r.info('server'))?.[1] ?? null;
  r.disconnect();
  result.machine = machineInfo({ postgres: pgVersion.version, autovacuum: pgVersion.autovacuum, redis: redisVersion });
  log(`machine: ${JSON.stringify(result.machine)}`);

  const { runMigrations } = require(join(SNAP, 'libs/database/src/index.js'));
  result.migrations = await runMigrations(DB_URL);
  const { Pool } = require('pg');
  pgPool = new Pool({ connectionString: DB_URL, max: 4, application_name: 'bench-observer' });
  pgPool.on('error', (e) => log(`observer pool: ${e.message}`));
  const seedClient = await pgPool.connect();
  let seeded;
  try {
    seeded = await seed(seedClient);
  } finally {
    seedClient.release();
  }
  log(`seeded ${seeded.ids.length} + ${seeded.naiveIds.length} orders in ${seeded.seconds} s`);

  noteLoad('raw');
  result.phases.raw = await phaseRaw();
  writeReport();

  noteLoad('naive');
  result.phases.naive = await phaseNaive(seeded.naiveIds);
  log(`(c) naive: ${result.phases.naive.perS} items/s (${result.phases.naive.totalS} s for ${result.phases.naive.items}), verified ${result.phases.naive.verified}`);
  writeReport();

  API = await startApi();
  result.api = { pid: API.pid, env: API.env };
  log(`API ready on ${API.base} (pid ${API.pid}, RSS ${fmt(rss(API.pid))} MiB)`);
  // Warm-up: routes, pools, JIT.
  for (let i = 0; i < 200; i++) await request('GET', `/orders/${seeded.ids[i]}`);
  {
    const w = await request('POST', '/bulk-jobs?operation=create_orders', { headers: { 'content-type': 'application/x-ndjson' }, body: '{"customer_id":"cus_warm","amount":1,"currency":"EUR"}\n' });
    if (w.status !== 202) throw new Error(`warm-up POST: ${w.status} ${w.text}`);
    await waitTerminal(w.json.id);
  }

  noteLoad('idle');
  const runs = [];
  for (let i = 0; i < CFG.reps; i++) {
    runs.push(await cannon(seeded.ids, `idle ${i + 1}`));
    log(`(e) idle ${i + 1}: p50 ${runs[i].p50} ms, p99 ${runs[i].p99} ms, ${runs[i].rps} req/s`);
  }
  result.phases.idle = { runs, p99: r1(median(runs.map((x) => x.p99))), p50: r1(median(runs.map((x) => x.p50))) };
  writeReport();

  result.phases.update = await phaseUpdate(seeded.ids);
  writeReport();
  result.phases.updateAnalyzed = await phaseUpdateAnalyzed(seeded.ids);
  writeReport();
  result.phases.create = await phaseCreate(CFG.n);
  writeReport();
  result.phases.fresh = await phaseFreshTenant(CFG.n);
  writeReport();
  await pgPool.query('VACUUM ANALYZE orders');

  result.phases.accept = await phaseAccept();
  writeReport();
  await pgPool.query('VACUUM ANALYZE bulk_job_items');

  result.phases.cancel = await phaseCancel(CFG.n);
  writeReport();
  await pgPool.query('VACUUM ANALYZE bulk_job_items');

  result.phases.big = await phaseBig(seeded.ids, result.phases.idle);
  writeReport();
}

if (process.argv.includes('--report-only')) {
  // Rewrites REPORT.md from results.json (e.g. after a change to the report's layout), no measuring.
  Object.assign(result, JSON.parse(readFileSync(join(HERE, 'results.json'), 'utf8')));
  Object.assign(CFG, result.config);
  writeReport();
  console.log('rewrote bench/bulk/REPORT.md from results.json');
  process.exit(0);
}

let exitCode = 0;
try {
  await main();
} catch (e) {
  exitCode = 1;
  result.error = e.message;
  console.error(e);
} finally {
  if (API) {
    const lines = tail(API.handle.logFile, 100000).split('\n').filter(Boolean);
    const errs = lines.filter((l) => /\bERROR\b/.test(l));
    const warns = lines.filter((l) => /\bWARN\b/.test(l));
    const clean = (s) => s.replace(/\x1b\[[0-9;]*m/g, '').replace(/\s+/g, ' ').slice(0, 220);
    result.apiLog = { lines: lines.length, errors: errs.length, warns: warns.length, sample: [...new Set([...errs, ...warns].map(clean))].slice(0, 5) };
  }
  result.httpProblems = httpProblems;
  await cleanup();
  result.totalS = r1(elapsed());
  result.measuredS = r1(measuredElapsed());
  writeReport();
  log(`done in ${result.totalS} s; wrote bench/bulk/REPORT.md and results.json${exitCode ? ' (FAILED)' : ''}`);
  process.exitCode = exitCode;
}
