// "Items checked exactly once": SQL counts, per bulk job, that each of its items was applied once, and
// that the keyed POST /orders created one order per Idempotency-Key however often it was replayed.
import { TENANT } from '../bulk/env.mjs';

/** `n` pending orders for update job `k` (customer `soak_u<k>`); returns the version they start at. */
export async function seedForUpdate(pg, k, n) {
  await pg.query(
    `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status)
     SELECT 'soak_u' || $1::text || '_' || i, $2, 'soak_u' || $1::text, i + 1, 'EUR', 'pending'
     FROM generate_series(0, $3 - 1) AS i`,
    [String(k), TENANT, n],
  );
  const r = await pg.query('SELECT version FROM orders WHERE id = $1', [`soak_u${k}_0`]);
  return r.rows[0].version;
}

export async function verify(pg, state) {
  // One pass over the bench's orders, grouped by the customer id each job (or loop) wrote.
  const { rows } = await pg.query(
    `SELECT customer_id,
            count(*)::int AS n,
            count(DISTINCT amount)::int AS distinct_amounts,
            count(*) FILTER (WHERE status = 'paid')::int AS paid,
            min(version)::int AS min_version,
            max(version)::int AS max_version
       FROM orders WHERE tenant_id = $1 AND customer_id LIKE 'soak\\_%'
      GROUP BY customer_id`,
    [TENANT],
  );
  const by = new Map(rows.map((r) => [r.customer_id, r]));
  const jobs = [];
  for (const job of state.jobs) {
    const row = by.get(job.op === 'create_orders' ? `soak_c${job.k}` : `soak_u${job.k}`) ?? {
      n: 0,
      distinct_amounts: 0,
      paid: 0,
      min_version: null,
      max_version: null,
    };
    const completed = job.status === 'completed' && job.succeeded === job.n && job.failed === 0;
    let applied;
    let exactlyOnce;
    if (job.op === 'create_orders') {
      // Each item has its own amount within the job: n rows with n distinct amounts = each item once.
      applied = row.n;
      exactlyOnce = row.n === job.n && row.distinct_amounts === job.n;
    } else {
      // Seeded pending at version v; one applied transition to paid makes it v + 1, never more.
      applied = row.paid;
      exactlyOnce =
        row.n === job.n &&
        row.paid === job.n &&
        row.min_version === job.seededVersion + 1 &&
        row.max_version === job.seededVersion + 1;
    }
    jobs.push({
      k: job.k,
      id: job.id,
      op: job.op,
      format: job.format,
      items: job.n,
      status: job.status,
      succeeded: job.succeeded ?? null,
      failed: job.failed ?? null,
      secs: job.secs ?? null,
      applied,
      completed,
      exactlyOnce,
    });
  }
  const keyedRow = by.get('soak_keyed') ?? { n: 0, distinct_amounts: 0 };
  const keyed = {
    keys: state.keyed.size,
    ordersInDb: keyedRow.n,
    exactlyOnce: keyedRow.n === state.keyed.size && keyedRow.distinct_amounts === state.keyed.size,
    replays: state.replays.n,
    replaysSameOrder: state.replays.sameOrder,
    replaysMarked: state.replays.markedReplayed,
    replayMismatches: state.replays.mismatches,
  };
  const accepted = jobs.filter((j) => j.id);
  return {
    jobsSubmitted: accepted.length,
    jobsCompleted: accepted.filter((j) => j.completed).length,
    itemsSubmitted: accepted.reduce((a, j) => a + j.items, 0),
    itemsCheckedExactlyOnce: accepted.filter((j) => j.exactlyOnce).reduce((a, j) => a + j.items, 0),
    allJobsExactlyOnce: accepted.every((j) => j.completed && j.exactlyOnce),
    keyed,
    jobs,
  };
}
