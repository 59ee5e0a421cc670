// The raw SQL limit for update_orders_status: the same UPDATE … SET status, version, updated_at FROM
// (1000 ids), one commit per 1000 rows, on a clone of `orders` with all its indexes
// (`LIKE orders INCLUDING ALL`), 200,000 rows: run server-side (a procedure) and client-driven (one
// statement per 1000 ids from Node, as a worker would send it).
import { performance } from 'node:perf_hooks';
import { CHUNK, log } from './env.mjs';
import { seedOrders } from './service.mjs';

const TRANSITIONS = [
  ['pending', 'paid'],
  ['paid', 'shipped'],
  ['shipped', 'delivered'],
];

async function cloneTable(pg, n) {
  await pg.query(`DROP TABLE IF EXISTS orders_limit`);
  await pg.query(`CREATE TABLE orders_limit (LIKE orders INCLUDING ALL)`);
  await seedOrders(pg, 'ord_lim_', n, 'pending', 'orders_limit');
}

async function serverSide(pg, n, to) {
  await pg.query(`
    CREATE OR REPLACE PROCEDURE bench_limit_update(n int, chunk int, target text) LANGUAGE plpgsql AS $$
    DECLARE lo int := 0;
    BEGIN
      WHILE lo < n LOOP
        UPDATE orders_limit o SET status = target, version = o.version + 1, updated_at = now()
          FROM unnest(ARRAY(SELECT 'ord_lim_' || i FROM generate_series(lo, LEAST(lo + chunk, n) - 1) AS i)) AS u(id)
         WHERE o.id = u.id;
        COMMIT;
        lo := lo + chunk;
      END LOOP;
    END $$`);
  const t0 = performance.now();
  await pg.query(`CALL bench_limit_update($1, $2, $3)`, [n, CHUNK, to]);
  return n / ((performance.now() - t0) / 1000);
}

async function clientDriven(pg, n, to) {
  const t0 = performance.now();
  for (let lo = 0; lo < n; lo += CHUNK) {
    const ids = [];
    for (let i = lo; i < Math.min(n, lo + CHUNK); i++) ids.push(`ord_lim_${i}`);
    await pg.query(
      `UPDATE orders_limit o SET status = $2, version = o.version + 1, updated_at = now()
         FROM unnest($1::text[]) AS u(id) WHERE o.id = u.id`,
      [ids, to],
    );
  }
  return n / ((performance.now() - t0) / 1000);
}

/**
 * Rows/s of each of the three transitions (pending → paid → shipped → delivered) over the same rows,
 * exactly as the service's runs do them, once server-side and once client-driven, each on a fresh clone.
 */
export async function measureLimit(pg, n, reps) {
  const out = { serverSide: [], clientDriven: [] };
  for (const [kind, fn] of [
    ['serverSide', serverSide],
    ['clientDriven', clientDriven],
  ]) {
    await cloneTable(pg, n);
    for (let r = 0; r < reps; r++) {
      const [, to] = TRANSITIONS[r % TRANSITIONS.length];
      const perS = await fn(pg, n, to);
      out[kind].push(perS);
      log(
        `limit ${kind} ${TRANSITIONS[r % TRANSITIONS.length].join(' → ')}: ${Math.round(perS)} rows/s`,
      );
    }
  }
  await pg.query(`DROP TABLE IF EXISTS orders_limit`);
  return out;
}

export { TRANSITIONS };
