// One run: tenant `bench` submits a big create_orders job (NDJSON); optionally, once it is under way,
// tenant `fresh` submits one-item update_orders_status jobs, each timed from its POST to `completed`.
import { performance } from 'node:perf_hooks';
import { log, sleep } from '../bulk/env.mjs';
import { expectStatus, postJson, postNdjson, request, waitJob } from '../bulk/service.mjs';

const FRESH = { authorization: 'Bearer fresh-key' };

/** A one-item job of tenant `fresh` on an order of its own; ms from POST to `completed` (server time). */
async function smallJob(svc, orderId, status) {
  const t0 = performance.now();
  const res = await request(svc, 'POST', '/bulk-jobs', {
    headers: { ...FRESH, 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'update_orders_status', items: [{ id: orderId, status }] }),
  });
  const job = expectStatus(res, 202, 'POST small job');
  for (;;) {
    const r = await request(svc, 'GET', `/bulk-jobs/${job.id}`, {
      headers: { ...FRESH, prefer: 'wait=5' },
    });
    const j = expectStatus(r, 200, 'GET small job');
    if (j.status === 'completed') {
      // POST time on this side, then created → completed on the server's clock: no polling delay.
      return res.ms + (Date.parse(j.completed_at) - Date.parse(j.created_at));
    }
    if (j.status !== 'pending' && j.status !== 'processing') throw new Error(`small job ${j.status}`);
    if (performance.now() - t0 > 900_000) throw new Error('small job never completed');
  }
}

async function freshOrder(svc) {
  const res = await request(svc, 'POST', '/orders', {
    headers: { ...FRESH, 'content-type': 'application/json' },
    body: JSON.stringify({ customer_id: 'cus_fresh', amount: 100, currency: 'EUR', status: 'pending' }),
  });
  return expectStatus(res, 201, 'POST /orders').id;
}

/** The big job's items per second from its own start to its completion (server timestamps). */
const itemsPerSecond = (job) =>
  job.total_items / ((Date.parse(job.completed_at) - Date.parse(job.started_at)) / 1000);

export async function bigJobRun(svc, n, { smallJobs = 0, smallEveryMs = 3000, tag = '' } = {}) {
  const orderId = smallJobs ? await freshOrder(svc) : null;
  const res = await postNdjson(svc, 'create_orders', n, (i) => ({
    customer_id: `cus_fair_${tag}`,
    amount: i,
    currency: 'EUR',
  }));
  const big = expectStatus(res, 202, 'POST big job');
  const small = [];
  if (smallJobs) {
    // Once the big job runs, its turns fill the queue ahead of every later job.
    for (;;) {
      const r = expectStatus(await request(svc, 'GET', `/bulk-jobs/${big.id}`), 200, 'GET big job');
      if (r.status === 'processing') break;
      await sleep(20);
    }
    const statuses = ['paid', 'shipped', 'delivered', 'cancelled'];
    for (let i = 0; i < smallJobs; i++) {
      await sleep(smallEveryMs);
      const ms = await smallJob(svc, orderId, statuses[i % statuses.length]);
      small.push(ms);
      log(`${svc.build.label}: one-item job of another tenant completed in ${Math.round(ms)} ms`);
      // The old FIFO build: a small job waits for the whole big job, so the next would find it done.
      if (ms > 5_000) break;
    }
  }
  const { job } = await waitJob(svc, big.id);
  if (job.status !== 'completed' || job.succeeded !== n) {
    throw new Error(`big job ended ${job.status} with ${job.succeeded}/${n} succeeded`);
  }
  const perS = itemsPerSecond(job);
  log(`${svc.build.label}: big job ${n} items at ${Math.round(perS)} items/s${smallJobs ? ' (with small jobs)' : ' (alone)'}`);
  return { perS, acceptMs: res.ms, smallMs: small };
}
