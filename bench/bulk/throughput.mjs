// update_orders_status of N items, POST → `completed`, the same three transitions the limit runs:
// JSON body, then NDJSON, then JSON again; every item checked in SQL afterwards.
import { performance } from 'node:perf_hooks';
import { log } from './env.mjs';
import { TRANSITIONS } from './limit.mjs';
import { expectStatus, postJson, postNdjson, seedOrders, waitJob } from './service.mjs';

export async function measureThroughput(svc, pg, n, reps, idPrefix) {
  await seedOrders(pg, idPrefix, n, 'pending');
  const runs = [];
  for (let r = 0; r < reps; r++) {
    const [from, to] = TRANSITIONS[r % TRANSITIONS.length];
    const format = r % 2 === 0 ? 'json' : 'ndjson';
    const item = (i) => ({ id: `${idPrefix}${i}`, status: to });
    const t0 = performance.now();
    const res =
      format === 'json'
        ? await postJson(svc, '/bulk-jobs', {
            operation: 'update_orders_status',
            items: Array.from({ length: n }, (_, i) => item(i)),
          })
        : await postNdjson(svc, 'update_orders_status', n, item);
    const accepted = expectStatus(res, 202, `POST ${format}`);
    const acceptMs = performance.now() - t0;
    const { job, at } = await waitJob(svc, accepted.id);
    const secs = (at - t0) / 1000;
    if (job.status !== 'completed' || job.succeeded !== n) {
      throw new Error(`${format} job ended ${job.status} with ${job.succeeded}/${n} succeeded`);
    }
    const { rows } = await pg.query(
      `SELECT count(*) FILTER (WHERE status = $2)::int AS moved, count(*)::int AS total
         FROM orders WHERE id LIKE $1 || '%'`,
      [idPrefix, to],
    );
    if (rows[0].moved !== n)
      throw new Error(`${rows[0].moved} of ${n} orders moved ${from} → ${to}`);
    const perS = n / secs;
    runs.push({ format, transition: `${from}→${to}`, perS, acceptMs, secs });
    log(
      `${svc.build.label}: ${format} ${from}→${to} ${Math.round(perS)} items/s (POST ${Math.round(acceptMs)} ms)`,
    );
  }
  return runs;
}
