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
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, relative } from 'node:path';
import { benchDir, logger, num, ROOT } from '../_lib/env.mjs';
import { machineInfo, otherActivity } from '../_lib/machine.mjs';
import { dbUrl, dropDatabase, freshDatabase } from '../_lib/pg.mjs';
import { cpuMs } from '../_lib/procfs.mjs';
import { cleanRedis } from '../_lib/redis.mjs';
import { loadResults, saveResults } from '../_lib/report.mjs';
import { runBench } from '../_lib/run-bench.mjs';
import { apiMain, serviceEnv, startServer } from '../_lib/service.mjs';
import { median } from '../_lib/stats.mjs';
import { writeReport } from './report.mjs';

const { HERE, WORK, require } = benchDir(import.meta.url);
const autocannon = require('autocannon');

const API_MAIN = apiMain(join(ROOT, 'dist'));
const RUN = randomBytes(3).toString('hex');
const DB_NAME = `bench_tracing_${RUN}`;
const PREFIX = `benchtrace_${RUN}`;
const CFG = {
  rounds: num('ROUNDS', 5),
  duration: num('DURATION', 8),
  warmup: 3,
  connections: num('CONNECTIONS', 10),
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
const log = logger('tracing');

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

async function startApi(mode, sink) {
  // Only the mode's own OTEL_* settings: none inherited from this shell.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const server = await startServer({
    name: `api-${mode.id}`,
    args: [API_MAIN],
    logDir: WORK,
    inherit: false,
    env: {
      ...env,
      ...serviceEnv({
        databaseUrl: dbUrl(DB_NAME),
        prefix: PREFIX,
        CURSOR_SECRET: 'bench',
        RATE_LIMIT_PER_MINUTE: '0',
        NODE_ENV: 'test',
      }),
      ...mode.env,
      ...(mode.env.OTEL_TRACES_EXPORTER ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
    },
  });
  return { mode, handle: server.handle, base: server.base };
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
  if (!process.argv.includes('--no-build') || !existsSync(API_MAIN)) {
    log('building (nest build api)');
    execFileSync('npx', ['nest', 'build', 'api'], { cwd: ROOT, stdio: 'inherit' });
  }
  const machine = machineInfo();
  await freshDatabase(DB_NAME);
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
        const others = otherActivity('tracing');
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
    for (const sink of Object.values(sinks)) await sink.close();
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
  saveResults(HERE, results);
  writeReport(results, HERE);
  log(`wrote ${relative(ROOT, join(HERE, 'REPORT.md'))}: ${MODES.map((m) => `${m.id} ${summary[m.id].ratioToOff.toFixed(3)}× req/s, ${summary[m.id].cpuRatioToOff.toFixed(3)}× CPU/request`).join('; ')}`);
}

// Also when interrupted: the APIs stopped, the database dropped, the Redis keys deleted.
runBench(main, {
  reportOnly: () => writeReport(loadResults(HERE), HERE),
  cleanup: async () => {
    await dropDatabase(DB_NAME).catch((e) => log(`drop database: ${e.message}`));
    await cleanRedis(PREFIX).catch((e) => log(`redis cleanup: ${e.message}`));
  },
});
