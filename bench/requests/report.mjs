// bench/requests/REPORT.md from results.json: this checkout (`after`) and, when the run had
// BENCH_BEFORE_REF, the older build (`before`), measured side by side in the same run.
import { blocks, renderReport } from '../_lib/report.mjs';
import { fmt } from '../_lib/stats.mjs';
import { HERE } from './env.mjs';

export const TARGETS = {
  'post: ours / bare': 0.6,
  'get: ours / bare': 0.6,
  'list: ours / bare': 0.6,
  'fresh key / no key': 0.75,
  'replay / fresh': 2,
};

const CASE_LABELS = {
  post: 'POST /orders, no key',
  fresh: 'POST /orders, fresh Idempotency-Key',
  replay: 'POST /orders, replay of one key',
  get: 'GET /orders/{id}',
  list: 'GET /orders?limit=20',
};

const labels = (R) => R.builds.map((b) => b.label).sort((a) => (a === 'before' ? -1 : 1));

function runLine(R) {
  const c = R.config;
  const builds = R.builds.map((b) => `${b.label} = ${b.commit}`).join(', ');
  return `Run of ${R.startedAt} (${builds}); ${R.machine.nproc} CPUs (${R.machine.cpuModel}), load average at start ${R.machine.loadavg.join(' / ')}, Node ${R.machine.node}, PostgreSQL ${R.postgres}; autocannon ${c.connections} connections, ${c.warmup} s warm-up + ${c.duration} s per run, ${c.reps} rounds.`;
}

function ratioTable(R) {
  const bs = labels(R);
  const cell = (v) =>
    v ? `${fmt(v.median, 2)} (${v.perRound.map((x) => fmt(x, 2)).join(', ')})` : 'n/a';
  const head = bs.flatMap((b) => [`${b}: throughput`, `${b}: per CPU-ms`]);
  const rows = Object.keys(TARGETS).map((k) => {
    const after = R.summary.ratios.after?.[k];
    const met = after ? (after.rps.median >= TARGETS[k] ? 'met' : '**missed**') : 'n/a';
    const cpuMet = after ? (after.cpu.median >= TARGETS[k] ? 'met' : '**missed**') : 'n/a';
    return `| ${k} | ≥ ${TARGETS[k]} | ${bs.flatMap((b) => [cell(R.summary.ratios[b]?.[k]?.rps), cell(R.summary.ratios[b]?.[k]?.cpu)]).join(' | ')} | ${met} / ${cpuMet} |`;
  });
  return [
    `| ratio | target | ${head.join(' | ')} | after (throughput / per CPU) |`,
    `|---|---|${head.map(() => '---|').join('')}---|`,
    ...rows,
  ].join('\n');
}

function caseTable(R) {
  const sides = [...labels(R), 'bare'];
  const rows = [];
  for (const [id, label] of Object.entries(CASE_LABELS)) {
    for (const side of sides) {
      const s = R.summary.cases[`${id}.${side}`];
      if (!s) continue;
      rows.push(
        `| ${label} | ${side === 'bare' ? 'bare Nest route' : side} | ${fmt(s.rps, 0)} | ${fmt(s.p99, 0)} | ${fmt(s.appCpuMsPerReq, 3)} | ${fmt(s.pgCpuMsPerReq, 3)} | ${s.failures} |`,
      );
    }
  }
  return [
    '| case | server | req/s | p99 ms | app CPU ms/req | Postgres CPU ms/req | non-2xx + errors |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function profileSection(R, level) {
  if (!R.profiles) return '';
  const out = [
    '## CPU profiles of the API',
    '',
    'Self time while the load ran (idle excluded), from `node --cpu-prof`; each build and case on a separate start of the API under autocannon.',
    '',
  ];
  for (const b of labels(R)) {
    for (const p of R.profiles[b] ?? []) {
      out.push(
        `### ${b}: ${CASE_LABELS[p.case]} (${fmt(p.rps, 0)} req/s under the profiler; ${p.cpuUsPerRequest} µs sampled CPU per request)`,
        '',
      );
      out.push(
        '| layer | self % | | top functions (self time) | self % |',
        '|---|---|---|---|---|',
      );
      const n = Math.max(10, 0);
      for (let i = 0; i < n; i++) {
        const l = p.layers[i];
        const f = p.top[i];
        out.push(
          `| ${l ? l.layer : ''} | ${l ? l.pct : ''} | | ${f ? `\`${f.fn.replace(/\|/g, '\\|')}\`` : ''} | ${f ? f.pct : ''} |`,
        );
      }
      out.push('');
    }
  }
  return out.join('\n');
}

export function renderBody(R, level = '##') {
  return blocks(
    runLine(R),
    ratioTable(R),
    'Ratios are taken per round (the sides measured back to back, seconds apart; which side goes first rotates), then the median over the rounds (per-round values in brackets). "Throughput" compares requests per second; "per CPU-ms" compares requests per millisecond of CPU used by the app process plus its Postgres backends (utime+stime from /proc/<pid>/stat over the measured run) — the throughput each would reach on a machine of its own, and much less disturbed by other jobs on a shared machine.',
    caseTable(R),
    'Medians over the rounds.',
    profileSection(R, level),
  );
}

const INTRO = [
  '# Request-path bench',
  '',
  "`npm run bench -- requests`: the service's ordinary routes against a bare Nest app (Express, no guards, pipes, interceptors, CLS or request logging) doing the same SQL (`bench/requests/bare-app.mjs`), and what an `Idempotency-Key` costs, in one run on one database seeded with 10,000 orders. The API runs as in production: `LOG_LEVEL=log` (info: one completion line per request), the Redis rate limiter in the path (its limit far above the load).",
  '',
];

export const writeReport = () => renderReport(HERE, (R) => [...INTRO, renderBody(R)]);
