// One measured case: autocannon at CFG.connections against one route, with the CPU that the app
// process and its Postgres backends spent per request.
import { randomBytes } from 'node:crypto';
import { API_KEY, CFG, log, require } from './env.mjs';
import { cpuDelta, cpuSnapshot } from './servers.mjs';

const autocannon = require('autocannon');

const ORDER_BODY = JSON.stringify({ customer_id: 'cus_bench', amount: 1999, currency: 'EUR' });
const SEED_ID = 'ord_seed_5000';

/** What each case sends; `ours` routes need the API key, the bare app none. */
export const CASES = [
  {
    id: 'post',
    label: 'POST /orders (no key)',
    ours: '/orders',
    bare: '/bare/orders',
    method: 'POST',
  },
  {
    id: 'get',
    label: 'GET /orders/{id}',
    ours: `/orders/${SEED_ID}`,
    bare: `/bare/orders/${SEED_ID}`,
    method: 'GET',
  },
  {
    id: 'list',
    label: 'GET /orders?limit=20',
    ours: '/orders?limit=20',
    bare: '/bare/orders?limit=20',
    method: 'GET',
  },
  {
    id: 'fresh',
    label: 'POST /orders, fresh Idempotency-Key',
    ours: '/orders',
    method: 'POST',
    key: 'fresh',
  },
  {
    id: 'replay',
    label: 'POST /orders, replay of one key',
    ours: '/orders',
    method: 'POST',
    key: 'replay',
  },
];

function requestSpec(c, side) {
  const headers = side === 'ours' ? { authorization: `Bearer ${API_KEY}` } : {};
  if (c.method === 'POST') headers['content-type'] = 'application/json';
  const spec = { method: c.method, path: c[side], headers };
  if (c.method === 'POST') spec.body = ORDER_BODY;
  if (c.key === 'fresh') {
    const prefix = `fresh-${randomBytes(6).toString('hex')}`;
    let n = 0;
    spec.setupRequest = (req) => ({
      ...req,
      headers: { ...req.headers, 'idempotency-key': `${prefix}-${n++}` },
    });
  } else if (c.key === 'replay') {
    headers['idempotency-key'] = c.replayKey;
  } else {
    // The same client-side work as the fresh-key case: the request object is rebuilt every time.
    spec.setupRequest = (req) => ({ ...req });
  }
  return spec;
}

function cannon(server, spec, duration) {
  return autocannon({
    url: server.base,
    connections: CFG.connections,
    duration,
    timeout: 10,
    requests: [spec],
  });
}

/** Warm-up, then a measured run; returns throughput, latency, status codes and CPU per request. */
export async function runCase(pool, server, c, side, label = side) {
  const spec = requestSpec(c, side);
  if (CFG.warmup > 0) await cannon(server, spec, CFG.warmup);
  const cpu0 = await cpuSnapshot(pool, server);
  const r = await cannon(server, spec, CFG.duration);
  const cpu = cpuDelta(cpu0, await cpuSnapshot(pool, server), r.requests.total);
  const res = {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    n2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    appCpuMsPerReq: cpu.appMs,
    pgCpuMsPerReq: cpu.pgMs,
    ...(cpu.helperMs !== null && { helperCpuMsPerReq: cpu.helperMs }),
  };
  log(
    `${`${c.id}.${label}`.padEnd(14)} ${res.rps.toFixed(0).padStart(6)} req/s  p99 ${String(res.p99).padStart(4)} ms  ` +
      `non2xx ${res.non2xx} err ${res.errors} | cpu ms/req app ${res.appCpuMsPerReq?.toFixed(3)} pg ${res.pgCpuMsPerReq?.toFixed(3)}${cpu.helperMs !== null ? ` helpers ${cpu.helperMs?.toFixed(3)}` : ''}`,
  );
  return res;
}
