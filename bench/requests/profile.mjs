// Where the API's CPU goes under load: the service runs with --cpu-prof while autocannon sends one
// case at CFG.connections; self time is summed per function and per layer, counting only the
// samples taken while the load ran.
import { join } from 'node:path';
import { cpuProfArgs, nowUs, readProfile, selfTimes } from '../_lib/cpuprofile.mjs';
import { CFG, log, WORK } from './env.mjs';
import { runCase } from './load.mjs';
import { startOurs } from './servers.mjs';

const LAYERS = [
  ['TypeORM', /node_modules\/typeorm/],
  ['pg driver', /node_modules\/(pg|pg-protocol|pg-types|pg-pool)\//],
  [
    'pino / pino-http',
    /node_modules\/(pino|pino-http|pino-std-serializers|fast-redact|sonic-boom|nestjs-pino)\//,
  ],
  [
    'Express / router / body-parser',
    /node_modules\/(express|router|body-parser|raw-body|finalhandler|send|on-finished|type-is|qs|content-type|iconv-lite)\//,
  ],
  ['Nest core', /node_modules\/@nestjs\/(core|common|platform-express)\//],
  ['CLS / transactions', /node_modules\/(nestjs-cls|@nestjs-cls)\//],
  ['rxjs', /node_modules\/rxjs\//],
  ['class-validator / class-transformer', /node_modules\/class-(validator|transformer)\//],
  ['throttler / ioredis', /node_modules\/(@nestjs\/throttler|ioredis|redis-parser|denque)\//],
  ['helmet / prom-client', /node_modules\/(helmet|prom-client)\//],
  ['service code', /dist\/(libs|apps)\//],
];

function summarize(prof, fromUs, toUs, requests) {
  const self = selfTimes(prof, fromUs, toUs);
  const byLayer = new Map();
  const byFn = new Map();
  let total = 0;
  for (const n of prof.nodes) {
    const us = self.get(n.id) ?? 0;
    if (!us) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue; // waiting for Postgres/Redis/clients, not CPU
    total += us;
    let layer = LAYERS.find(([, re]) => re.test(url))?.[0];
    if (!layer) {
      if (functionName === '(garbage collector)') layer = 'garbage collection';
      else if (functionName === '(program)') layer = '(program: native, not attributed)';
      else if (/^node:/.test(url) || !url) layer = 'Node core (net, http, crypto, streams…)';
      else layer = 'other node_modules';
    }
    byLayer.set(layer, (byLayer.get(layer) ?? 0) + us);
    const where = url
      .replace(/^.*node_modules\//, '')
      .replace(/^.*dist\//, '')
      .replace(/^file:\/\//, '');
    const key =
      `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  const share = (us) => Math.round((us / total) * 1000) / 10;
  return {
    cpuUsPerRequest: requests ? Math.round(total / requests) : null,
    layers: [...byLayer]
      .sort((a, b) => b[1] - a[1])
      .map(([k, us]) => ({ layer: k, pct: share(us) })),
    top: [...byFn]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, us]) => ({ fn: k, pct: share(us) })),
  };
}

/** Profiles one case (e.g. POST /orders without a key) on a separate start of the service. */
export async function profileCase(pool, build, prefix, c) {
  const dir = join(WORK, `cpuprof-${build.label}-${c.id}`);
  const ours = await startOurs(build, prefix, cpuProfArgs(dir), `prof-${build.label}-${c.id}`);
  let fromUs;
  let toUs;
  let run;
  try {
    const saved = { duration: CFG.duration };
    CFG.duration = CFG.profileSeconds;
    try {
      fromUs = nowUs() + CFG.warmup * 1_000_000; // runCase warms up first
      run = await runCase(pool, ours, c, 'ours');
      toUs = nowUs();
    } finally {
      CFG.duration = saved.duration;
    }
  } finally {
    await ours.stop();
  }
  const summary = summarize(readProfile(dir), fromUs, toUs, run.total);
  log(
    `profile ${c.id}: ${summary.top
      .slice(0, 5)
      .map((x) => `${x.fn} ${x.pct}%`)
      .join('; ')}`,
  );
  return { build: build.label, case: c.id, rps: run.rps, ...summary };
}
