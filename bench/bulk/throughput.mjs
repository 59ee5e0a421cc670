// update_orders_status of N items, POST → `completed`, the same three transitions the limit runs:
// JSON body, then NDJSON, then JSON again; every item checked in SQL afterwards.
import { log } from './env.mjs';
import { TRANSITIONS } from './limit.mjs';
import { runStatusJob, seedOrders } from './service.mjs';

export async function measureThroughput(svc, pg, n, reps, idPrefix) {
  await seedOrders(pg, idPrefix, n, 'pending');
  const runs = [];
  for (let r = 0; r < reps; r++) {
    const [from, to] = TRANSITIONS[r % TRANSITIONS.length];
    const format = r % 2 === 0 ? 'json' : 'ndjson';
    const { secs, acceptMs } = await runStatusJob(svc, pg, {
      n,
      idPrefix,
      to,
      format,
      what: `${format} ${from}→${to}`,
    });
    const perS = n / secs;
    runs.push({ format, transition: `${from}→${to}`, perS, acceptMs, secs });
    log(
      `${svc.build.label}: ${format} ${from}→${to} ${Math.round(perS)} items/s (POST ${Math.round(acceptMs)} ms)`,
    );
  }
  return runs;
}
