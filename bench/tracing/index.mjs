#!/usr/bin/env node
// What tracing costs `POST /orders`: the built API (workers off) under autocannon in four modes,
//
//   off        no OTEL_* variable: the SDK is never started (the default)
//   sampled-0  OTEL_TRACES_EXPORTER=otlp with OTEL_TRACES_SAMPLER=always_off: a sampler that can never
//              record, so the service loads no instrumentation
//   parent-0   OTEL_TRACES_EXPORTER=otlp with OTEL_TRACES_SAMPLER=parentbased_always_off: instrumented (a
//              caller's sampled traceparent would turn recording on), these untraced requests record nothing
//   all        OTEL_TRACES_EXPORTER=otlp, every span exported (OTLP http/protobuf to a sink in this process)
//
// One API process per mode, all alive at once, measured in turn (the order rotates every round) so
// that drift in the machine's load touches every mode alike; the report gives medians over the rounds and
// each mode's ratio to `off`.
//
//   npm run bench -- tracing                 (ROUNDS, DURATION, CONNECTIONS override the defaults)
//   node bench/tracing/index.mjs --report-only
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForHttp } from '../_lib/http.mjs';
import { machineInfo } from '../_lib/machine.mjs';
import { freePort, killAllSync, startProcess, stopAll } from '../_lib/proc.mjs';
import { median } from '../_lib/stats.mjs';
import { writeReport } from './report.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { Client } = require('pg');
const Redis = require('ioredis');

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const LOGS = join(HERE, '.work');
const API_MAIN = join(ROOT, 'dist/apps/api/src/main.js');
const PG_ADMIN = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN = randomBytes(3).toString('hex');
const DB_NAME = `bench_tracing_${RUN}`;
const PREFIX = `benchtrace_${RUN}`;
const CFG = {
  rounds: Number(process.env.ROUNDS ?? 5),
  duration: Number(process.env.DURATION ?? 8),
  warmup: 3,
  connections: Number(process.env.CONNECTIONS ?? 10),
};
export const MODES = [
  { id: 'off', what: 'no OTEL_* set: SDK not started', env: {} },
  {
    id: 'sampled-0',
    what: 'OTEL_TRACES_EXPORTER=otlp, OTEL_TRACES_SAMPLER=always_off',
    env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'always_off' },
  },
  {
    id: 'parent-0',
    what: 'OTEL_TRACES_EXPORTER=otlp, OTEL_TRACES_SAMPLER=parentbased_always_off',
    env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'parentbased_always_off' },
  },
  {
    id: 'all',
    what: 'OTEL_TRACES_EXPORTER=otlp, OTEL_TRACES_SAMPLER=always_on, every span exported',
    env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_TRACES_SAMPLER: 'always_on' },
  },
];
const T0 = Date.now();
const log = (...a) => console.log(`[tracing ${((Date.now() - T0) / 1000).toFixed(0).padStart(3)}s]`, ...a);

/** Other benches, builds or test runs seen on the machine (their load makes a run noisy). */
function otherActivity() {
  try {
    return execFileSync('pgrep', ['-af', 'bench/|nest build|autocannon|vitest'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l && !l.includes('bench/tracing') && !l.includes('pgrep') && !/bench\/run\.mjs/.test(l))
      .filter((l) => !l.startsWith(`${process.pid} `) && !l.startsWith(`${process.ppid} `));
  } catch {
    return [];
  }
}

/** CPU time (user + system, ms) a process has used so far: less sensitive to a busy machine than req/s. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** An OTLP/HTTP sink: answers every export with 200 and counts requests and bytes. */
async function startSink() {
  const seen = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (d) => (seen.bytes += d.length));
    req.on('end', () => {
      if (req.url === '/v1/traces') seen.requests++;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((ok) => server.close(ok)) };
}

async function admin(sql) {
  const c = new Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

async function cleanRedis() {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

async function startApi(mode, sink) {
  const port = await freePort();
  const dbUrl = new URL(PG_ADMIN);
  dbUrl.pathname = `/${DB_NAME}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const handle = startProcess(`api-${mode.id}`, [API_MAIN], {
    cwd: ROOT,
    logFile: join(LOGS, `api-${mode.id}.log`),
    env: {
      ...env,
      ...mode.env,
      ...(mode.env.OTEL_TRACES_EXPORTER ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
      PORT: String(port),
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL,
      BULL_PREFIX: PREFIX,
      API_KEYS: 'bench:bench-key',
      CURSOR_SECRET: 'bench',
      RATE_LIMIT_PER_MINUTE: '0',
      RUN_WORKERS: 'false',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
    },
  });
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, { timeoutMs: 90_000, isAlive: handle.isAlive });
  return { mode, handle, base: `http://127.0.0.1:${port}` };
}

function cannon(api, duration) {
  return autocannon({
    url: api.base,
    connections: CFG.connections,
    duration,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/orders',
        headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json' },
        body: JSON.stringify({ customer_id: 'cus_trace_bench', amount: 1999, currency: 'EUR', status: 'paid' }),
      },
    ],
  });
}

async function main() {
  if (process.argv.includes('--report-only')) {
    writeReport(JSON.parse(readFileSync(join(HERE, 'results.json'), 'utf8')), HERE);
    return;
  }
  mkdirSync(LOGS, { recursive: true });
  if (!process.argv.includes('--no-build') || !existsSync(API_MAIN)) {
    log('building (nest build api)');
    execFileSync('npx', ['nest', 'build', 'api'], { cwd: ROOT, stdio: 'inherit' });
  }
  const machine = machineInfo();
  await admin(`CREATE DATABASE ${DB_NAME}`);
  // One sink per mode, so that a late batch of one process is never counted against another.
  const sinks = Object.fromEntries(await Promise.all(MODES.map(async (m) => [m.id, await startSink()])));
  const runs = Object.fromEntries(MODES.map((m) => [m.id, []]));
  try {
    const apis = [];
    for (const mode of MODES) apis.push(await startApi(mode, sinks[mode.id]));
    log(`three APIs ready; warm-up ${CFG.warmup}s each`);
    for (const api of apis) await cannon(api, CFG.warmup);
    for (let round = 0; round < CFG.rounds; round++) {
      const order = apis.map((_, i) => apis[(i + round) % apis.length]);
      for (const api of order) {
        const others = otherActivity();
        const sink = sinks[api.mode.id];
        const before = { ...sink.seen };
        const cpu0 = cpuMs(api.handle.pid);
        const r = await cannon(api, CFG.duration);
        const cpu = cpuMs(api.handle.pid) - cpu0;
        const run = {
          round,
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          n2xx: r['2xx'],
          cpuUsPerRequest: (cpu * 1000) / Math.max(1, r.requests.total),
          non2xx: r.non2xx,
          errors: r.errors,
          exports: sink.seen.requests - before.requests,
          exportedBytes: sink.seen.bytes - before.bytes,
          noisy: others.length > 0,
        };
        runs[api.mode.id].push(run);
        log(`round ${round + 1}/${CFG.rounds} ${api.mode.id.padEnd(9)} ${run.rps.toFixed(0)} req/s p99 ${run.p99} ms, ${run.cpuUsPerRequest.toFixed(0)} µs CPU/request, ${run.non2xx} non-2xx, ${run.exports} OTLP exports${run.noisy ? ' (machine busy)' : ''}`);
      }
    }
  } finally {
    await stopAll();
    for (const sink of Object.values(sinks)) await sink.close();
    await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`).catch((e) => log(`drop database: ${e.message}`));
    await cleanRedis().catch((e) => log(`redis cleanup: ${e.message}`));
  }
  const summary = Object.fromEntries(
    MODES.map((m) => [
      m.id,
      {
        rps: median(runs[m.id].map((r) => r.rps)),
        p50: median(runs[m.id].map((r) => r.p50)),
        p99: median(runs[m.id].map((r) => r.p99)),
        cpuUsPerRequest: median(runs[m.id].map((r) => r.cpuUsPerRequest)),
      },
    ]),
  );
  for (const m of MODES) {
    summary[m.id].ratioToOff = summary[m.id].rps / summary.off.rps;
    summary[m.id].cpuRatioToOff = summary[m.id].cpuUsPerRequest / summary.off.cpuUsPerRequest;
  }
  const results = { machine, config: CFG, modes: MODES, runs, summary, wallSeconds: Math.round((Date.now() - T0) / 1000) };
  writeFileSync(join(HERE, 'results.json'), JSON.stringify(results, null, 2));
  writeReport(results, HERE);
  log(`wrote ${relative(ROOT, join(HERE, 'REPORT.md'))}: ${MODES.map((m) => `${m.id} ${summary[m.id].ratioToOff.toFixed(3)}× req/s, ${summary[m.id].cpuRatioToOff.toFixed(3)}× CPU/request`).join('; ')}`);
}

process.on('exit', killAllSync);
// Interrupted: stop the APIs, drop the database and the Redis keys before going.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void stopAll()
      .then(() => admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`))
      .then(() => cleanRedis())
      .catch((e) => log(`cleanup: ${e.message}`))
      .finally(() => process.exit(130));
  });
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
