// bench/pooler/REPORT.md from results.json: direct on Postgres vs behind PgBouncer (transaction
// mode), one build, one database, one run. `headline(R)` is the line bench/report.mjs shows.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blocks, renderReport } from '../_lib/report.mjs';
import { fmt } from '../_lib/stats.mjs';
import { HERE, TARGETS } from './env.mjs';

export const CASE_LABELS = {
  post: 'POST /orders, no key',
  get: 'GET /orders/{id}',
  fresh: 'POST /orders, fresh Idempotency-Key',
  bulk: 'bulk update_orders_status, POST → completed',
};

/** Optional hand-written findings shown under the tables (bench/pooler/FINDINGS.md). */
const FINDINGS = join(HERE, 'FINDINGS.md');

const ids = (R) => Object.keys(CASE_LABELS).filter((id) => R.summary?.ratios?.[id]);
const verdict = (id, x) => (x === null || x === undefined ? 'n/a' : x >= TARGETS[id] ? 'met' : '**missed**');
const list = (xs, d = 2) => xs.map((x) => fmt(x, d)).join(', ');

export function runLine(R) {
  const m = R.machine;
  const c = R.config;
  return (
    `Run of ${R.startedAt} → ${R.finishedAt ?? 'unfinished'}, build ${R.build?.commit}; ${m.nproc} CPUs (${m.cpuModel}), ${m.totalMemGiB} GiB, ${m.os}, ` +
    `Node ${m.node}, PostgreSQL ${R.postgres}, PgBouncer ${R.pgbouncer?.version} (pool_mode = ${R.pgbouncer?.poolMode}, default_pool_size = ${R.pgbouncer?.defaultPoolSize}); ` +
    `load average (1/5/15 min) ${m.loadavg.join(' / ')} at the start, ${R.loadavgAtEnd?.join(' / ') ?? 'n/a'} at the end. ` +
    `Request cases: autocannon ${c.connections} connections, ${c.warmup} s warm-up + ${c.duration} s per run; ` +
    `bulk: ${c.bulkN.toLocaleString('en')} listed items per job; ${c.reps} rounds.`
  );
}

export function ratioTable(R) {
  const rows = ids(R).map((id) => {
    const r = R.summary.ratios[id];
    const t = r.throughput;
    const cpu = r.cpu ? `${fmt(r.cpu.median, 2)} (${list(r.cpu.perRound)})` : '—';
    return `| ${CASE_LABELS[id]} | ≥ ${TARGETS[id]} | **${fmt(t.median, 2)}** (${list(t.perRound)}) | ${fmt(t.min, 2)}–${fmt(t.max, 2)} | ${verdict(id, t.median)} | ${cpu} |`;
  });
  return [
    '| case | target | pooled / direct throughput, median (per round) | spread of the rounds | verdict | pooled / direct per CPU-ms, median (per round) |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function caseTable(R) {
  const rows = [];
  for (const id of ids(R).filter((x) => x !== 'bulk')) {
    for (const side of ['direct', 'pooled']) {
      const s = R.summary.cases[id]?.[side];
      if (!s) continue;
      rows.push(
        `| ${CASE_LABELS[id]} | ${side} | ${fmt(s.rps, 0)} | ${fmt(s.p99, 0)} | ${fmt(s.appCpuMsPerReq, 3)} | ${fmt(s.pgCpuMsPerReq, 3)} | ${side === 'pooled' ? fmt(s.helperCpuMsPerReq, 3) : '—'} | ${s.failures} |`,
      );
    }
  }
  return [
    '| case | side | req/s | p99 ms | API CPU ms/req | Postgres CPU ms/req | PgBouncer CPU ms/req | non-2xx + errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

function roundTable(R) {
  const reqIds = ids(R).filter((x) => x !== 'bulk');
  const head = [
    ...reqIds.map((id) => `${id}: direct / pooled req/s (ratio)`),
    ...(R.runs?.bulk ? ['bulk: format, direct / pooled items/s (ratio)'] : []),
  ];
  const rows = (R.rounds ?? []).map((rd, i) => {
    const cells = reqIds.map((id) => {
      const d = R.runs[id]?.direct?.[i];
      const p = R.runs[id]?.pooled?.[i];
      return d && p ? `${fmt(d.rps, 0)} / ${fmt(p.rps, 0)} (${fmt(p.rps / d.rps, 2)})` : 'n/a';
    });
    if (R.runs?.bulk) {
      const d = R.runs.bulk.direct?.[i];
      const p = R.runs.bulk.pooled?.[i];
      cells.push(
        d && p
          ? `${d.format}, ${fmt(d.perS, 0)} / ${fmt(p.perS, 0)} (${fmt(p.perS / d.perS, 2)})`
          : 'n/a',
      );
    }
    return `| ${rd.round} | ${rd.sides.join(' → ')} | ${rd.loadavg[0]} | ${cells.join(' | ')} |`;
  });
  return [
    `| round | first → second | load avg (1 min) | ${head.join(' | ')} |`,
    `|---|---|---|${head.map(() => '---|').join('')}`,
    ...rows,
  ].join('\n');
}

/** CPU µs per item of a bulk run: API + Postgres backends (+ PgBouncer). */
const cpuUs = (x) =>
  x ? (x.appCpuUsPerItem ?? NaN) + (x.pgCpuUsPerItem ?? NaN) + (x.helperCpuUsPerItem ?? 0) : NaN;

function bulkTable(R) {
  const b = R.runs?.bulk;
  if (!b) return '';
  const s = R.summary.cases.bulk;
  const side = (x) =>
    x
      ? `${fmt(x.perS, 0)} | ${fmt(x.secs, 2)} | ${fmt(x.serverSecs, 2)} | ${fmt(x.acceptMs, 0)} | ${fmt(cpuUs(x), 1)}`
      : 'n/a | | | |';
  const rows = (R.rounds ?? []).map((rd, i) => {
    const d = b.direct?.[i];
    const p = b.pooled?.[i];
    return `| ${rd.round} | ${d?.format ?? p?.format} | ${side(d)} | ${side(p)} |`;
  });
  const med = (x) =>
    `${fmt(x?.perS, 0)} | ${fmt(x?.secs, 2)} | ${fmt(x?.serverSecs, 2)} | | ${fmt(cpuUs(x), 1)}`;
  const split = (x, pooled) =>
    `API ${fmt(x?.appCpuUsPerItem, 1)} + Postgres ${fmt(x?.pgCpuUsPerItem, 1)}${pooled ? ` + PgBouncer ${fmt(x?.helperCpuUsPerItem, 1)}` : ''} µs`;
  return [
    '| round | body | direct items/s | direct POST → completed s | direct job clock s | direct POST ms | direct CPU µs/item | pooled items/s | pooled POST → completed s | pooled job clock s | pooled POST ms | pooled CPU µs/item |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    `| median | | ${med(s.direct)} | ${med(s.pooled)} |`,
    '',
    `CPU per item, medians: direct ${split(s.direct, false)}; pooled ${split(s.pooled, true)}.`,
  ].join('\n');
}

/** How noisy the run was: the spread of the per-round ratios. */
function noiseLine(R) {
  const parts = ids(R).map((id) => {
    const t = R.summary.ratios[id].throughput;
    return `${id} ${fmt(t.min, 2)}–${fmt(t.max, 2)}`;
  });
  const loads = (R.rounds ?? []).map((r) => r.loadavg[0]);
  return `Spread of the per-round throughput ratios (min–max): ${parts.join(', ')}; 1-minute load average at the start of the rounds: ${loads.join(', ')} (2 cores).`;
}

export function headline(R) {
  const parts = ids(R).map((id) => {
    const t = R.summary.ratios[id].throughput;
    return `${CASE_LABELS[id]} **${fmt(t.median, 2)}×** (target ≥ ${TARGETS[id]} — ${t.median >= TARGETS[id] ? 'met' : 'missed'})`;
  });
  return `Behind PgBouncer (transaction mode, pool 20) vs directly on Postgres, throughput: ${parts.join('; ')}.`;
}

function floorSection(f) {
  const rows = f.pairs.map((p, i) => `| ${i + 1} | ${p.direct} | ${p.pooled} | ${p.ratio} |`);
  return [
    "### The database's own floor for GET /orders/{id}",
    '',
    `The statement GET /orders/{id} runs, driven by pgbench (${f.clients} clients, ${f.seconds} s a run, runs alternating) on the same database: directly on Postgres as a prepared statement (what the direct side sends) and through the same PgBouncer as one simple-protocol message with its limits (what the pooled side sends). Pooled / direct: **${f.median}** (median). The service's own pooled / direct ratio for GET is above this floor: the API's work is the same on both sides and dilutes the database's.`,
    '',
    '| pair | direct tps | pooled tps | pooled / direct |',
    '|---|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}

export function renderBody(R) {
  const findings = existsSync(FINDINGS) ? readFileSync(FINDINGS, 'utf8').trim() : null;
  return `${blocks(
    runLine(R),
    ratioTable(R),
    'Each ratio is pooled / direct within one round (the two sides measured back to back, seconds apart; which side goes first alternates every round), then the median over the rounds. "Per CPU-ms" compares requests per millisecond of CPU spent by the API process plus its Postgres backends plus, on the pooled side, the PgBouncer process (utime+stime from /proc over the measured run): the throughput each would reach on a machine of its own.',
    noiseLine(R),
    '### Request cases (medians over the rounds)',
    caseTable(R),
    '### Per round',
    roundTable(R),
    R.runs?.bulk && '### Bulk update_orders_status',
    R.runs?.bulk && bulkTable(R),
    R.runs?.bulk &&
      'items/s = items / (POST sent → `completed` seen by a `Prefer: wait=5` long poll). Job clock = the job\'s `created_at` → `completed_at`. POST ms = until the 202. CPU µs/item = CPU of the API process (its workers ran the job), of its Postgres backends (those opened during the job from their start) and, pooled, of PgBouncer, from before the POST to `completed`, divided by the items; the per-CPU ratio in the first table is items per CPU-ms, pooled / direct.',
    R.floor && floorSection(R.floor).trimEnd(),
    findings && '## Findings',
    findings,
  )}\n`;
}

const INTRO = [
  '# Pooler bench: directly on Postgres vs behind PgBouncer in transaction mode',
  '',
  "`npm run bench -- pooler`: one build of the service on one database and schema (`bench_pooler`: the migrations, 10,000 seeded orders, plus the orders a bulk job updates), run as two API processes side by side: **direct** (`DATABASE_POOL_MODE=session`, `DATABASE_URL` = Postgres) and **pooled** (`DATABASE_POOL_MODE=transaction`, `DATABASE_URL` = a private PgBouncer 1.18 in transaction mode with `default_pool_size = 20`, the service's `DB_POOL_SIZE`; `DATABASE_DIRECT_URL` = Postgres for migrations and `LISTEN`). Measured: throughput of `POST /orders` without a key, `GET /orders/{id}` and `POST /orders` with a fresh `Idempotency-Key` per request (bench/requests' cases: autocannon, API as in production with `LOG_LEVEL=log` and the Redis rate limiter in the path, workers off), and the items/s of an `update_orders_status` job of listed items from POST to `completed`, run by the workers of one side at a time (that side's API restarted with `RUN_WORKERS=true` for the job and stopped after it; the statuses of the job's orders reset and the table vacuumed before every job).",
  '',
];

export const writeReport = () =>
  renderReport(HERE, (R) => [
    ...INTRO,
    renderBody(R),
    '## PgBouncer configuration',
    '',
    '```ini',
    R.pgbouncer?.ini?.trim() ?? '',
    '```',
    '',
  ]);

if (import.meta.url === `file://${process.argv[1]}`) writeReport();
