// Accept latency of a 10,000-item JSON create_orders job: POST → 202, sequential. "Idle workers":
// the queue is paused while the POSTs run (workers present, nothing applied), so only the accept
// path is timed; the jobs are cancelled afterwards. The first POSTs warm the path up (JIT, pools)
// and are not counted: a running service answers warm.
import { summarize } from '../_lib/stats.mjs';
import { log, REDIS_URL, require } from './env.mjs';
import { expectStatus, postJson, request } from './service.mjs';

const Bull = require('bull');

const ACCEPT_WARMUP = 30;

export function bulkQueue(svc) {
  return new Bull('bulk-jobs', { prefix: svc.prefix, redis: REDIS_URL });
}

export async function acceptRound(svc, items, posts, warmup = 1) {
  const body = {
    operation: 'create_orders',
    items: Array.from({ length: items }, (_, i) => ({
      customer_id: `cus_acc_${i % 100}`,
      amount: i,
      currency: 'EUR',
      ref: `r${i}`,
    })),
  };
  const ms = [];
  const ids = [];
  for (let i = 0; i < warmup + posts; i++) {
    const res = await postJson(svc, '/bulk-jobs', body);
    ids.push(expectStatus(res, 202, 'accept').id);
    if (i >= warmup) ms.push(res.ms);
  }
  return { ms, ids };
}

export async function cancelAll(svc, ids) {
  for (const id of ids) await request(svc, 'POST', `/bulk-jobs/${id}/cancel`);
}

/** Median of `reps` rounds with the queue paused. */
export async function measureAcceptIdle(svc, items, posts) {
  const queue = bulkQueue(svc);
  await queue.pause();
  try {
    const { ms, ids } = await acceptRound(svc, items, posts, ACCEPT_WARMUP);
    await cancelAll(svc, ids);
    const s = summarize(ms);
    log(
      `${svc.build.label}: accept ${items} JSON idle: median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms`,
    );
    return s;
  } finally {
    await queue.resume();
    await queue.close();
  }
}
