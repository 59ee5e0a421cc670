// The database's own floor for the GET case: the statement GET /orders/{id} runs, driven by pgbench
// straight at Postgres as a prepared statement (what the direct side sends) and through PgBouncer as
// one simple-protocol message with its limits (what the pooled side sends). Same database, same
// rows, same client count; the ratio is what the pooled side could at best keep of its throughput.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from '../_lib/stats.mjs';
import { round } from '../requests/env.mjs';

const SELECT = `SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version,
  o.created_at, o.updated_at FROM orders o WHERE o.tenant_id = 'bench' AND o.id = 'ord_seed_' || :i;`;
const LIMITS = `SELECT set_config('lock_timeout', '3000', true), set_config('statement_timeout', '10000', true) \\;`;

function pgbench(url, mode, script, seconds, clients) {
  const u = new URL(url);
  const out = execFileSync(
    'pgbench',
    ['-n', '-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres',
      '-c', String(clients), '-j', '2', '-T', String(seconds), '-M', mode, '-f', script,
      u.pathname.slice(1)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return Number(/tps = ([\d.]+) \(without/.exec(out)?.[1] ?? NaN);
}

/** `reps` alternating pairs of pgbench runs; tps of each side and their per-pair ratio. */
export function measureFloor({ directUrl, pooledUrl, seedOrders, reps = 3, seconds = 6, clients = 8 }) {
  const dir = mkdtempSync(join(tmpdir(), 'pooler-floor-'));
  try {
    const range = `\\set i random(0, ${seedOrders - 1})\n`;
    const direct = join(dir, 'direct.sql');
    const pooled = join(dir, 'pooled.sql');
    writeFileSync(direct, `${range}${SELECT}\n`);
    writeFileSync(pooled, `${range}${LIMITS}\n${SELECT}\n`);
    const pairs = [];
    for (let r = 0; r < reps; r++) {
      const d = () => pgbench(directUrl, 'prepared', direct, seconds, clients);
      const p = () => pgbench(pooledUrl, 'simple', pooled, seconds, clients);
      // Which side goes first alternates.
      let dt, pt;
      if (r % 2) [pt, dt] = [p(), d()];
      else [dt, pt] = [d(), p()];
      pairs.push({ direct: round(dt, 0), pooled: round(pt, 0), ratio: round(pt / dt) });
    }
    return {
      clients,
      seconds,
      pairs,
      median: round(median(pairs.map((x) => x.ratio))),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
