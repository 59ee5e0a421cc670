// bench/requests/REPORT.md from results.json (this checkout) and results-before.json (the baseline,
// written with BENCH_LABEL=before), when present.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt } from '../_lib/stats.mjs';
import { HERE } from './env.mjs';

export const TARGETS = {
  'post: ours / bare': 0.6,
  'get: ours / bare': 0.6,
  'list: ours / bare': 0.6,
  'fresh key / no key': 0.75,
  'replay / fresh': 2,
};

export function loadResults() {
  const read = (f) =>
    existsSync(join(HERE, f)) ? JSON.parse(readFileSync(join(HERE, f), 'utf8')) : null;
  return { before: read('results-before.json'), after: read('results.json') };
}

const CASE_LABELS = {
  'post.ours': 'POST /orders, no key — ours',
  'post.bare': 'POST /orders — bare Nest route',
  'fresh.ours': 'POST /orders, fresh Idempotency-Key — ours',
  'replay.ours': 'POST /orders, replay of one key — ours',
  'get.ours': 'GET /orders/{id} — ours',
  'get.bare': 'GET /orders/{id} — bare Nest route',
  'list.ours': 'GET /orders?limit=20 — ours',
  'list.bare': 'GET /orders?limit=20 — bare Nest route',
};

function runLine(R) {
  const c = R.config;
  return `${R.label} — commit ${R.build?.commit ?? 'n/a'}, ${R.startedAt}; ${R.machine.nproc} CPUs (${R.machine.cpuModel}), load at start ${R.machine.loadavg.join(' / ')}, Node ${R.machine.node}, PostgreSQL ${R.postgres}; autocannon ${c.connections} connections, ${c.warmup} s warm-up + ${c.duration} s per run, ${c.reps} rounds`;
}

function ratioTable(before, after) {
  const rows = Object.keys(TARGETS).map((k) => {
    const b = before?.summary?.ratios?.[k];
    const a = after?.summary?.ratios?.[k];
    const met = a ? (a.median >= TARGETS[k] ? 'met' : '**missed**') : 'n/a';
    return `| ${k} | ≥ ${TARGETS[k]} | ${b ? `${fmt(b.median, 2)} (${b.perRound.join(', ')})` : 'n/a'} | ${a ? `${fmt(a.median, 2)} (${a.perRound.join(', ')})` : 'n/a'} | ${met} |`;
  });
  return [
    '| ratio of throughputs | target | before: median (per round) | after: median (per round) | after |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function caseTable(before, after) {
  const cell = (s) =>
    s
      ? `${fmt(s.rps, 0)} | ${fmt(s.p99, 0)} | ${fmt(s.appCpuMsPerReq, 2)} | ${fmt(s.pgCpuMsPerReq, 2)}`
      : 'n/a | n/a | n/a | n/a';
  const rows = Object.keys(CASE_LABELS).map(
    (id) =>
      `| ${CASE_LABELS[id]} | ${cell(before?.summary?.cases?.[id])} | ${cell(after?.summary?.cases?.[id])} |`,
  );
  return [
    '| case | before req/s | p99 ms | app CPU ms/req | PG CPU ms/req | after req/s | p99 ms | app CPU ms/req | PG CPU ms/req |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function profileSection(R, title) {
  if (!R?.profiles?.length) return '';
  const out = [`### Profile ${title}`, ''];
  for (const p of R.profiles) {
    out.push(
      `**${p.case === 'post' ? 'POST /orders, no key' : 'POST /orders, fresh key'}** (${fmt(p.rps, 0)} req/s under the profiler; ${p.cpuUsPerRequest} µs of sampled CPU per request, idle excluded)`,
      '',
    );
    out.push(
      '| layer | self time % |',
      '|---|---|',
      ...p.layers.slice(0, 12).map((l) => `| ${l.layer} | ${l.pct} |`),
      '',
    );
    out.push(
      '| top functions (self time) | % |',
      '|---|---|',
      ...p.top.slice(0, 12).map((f) => `| \`${f.fn.replace(/\|/g, '\\|')}\` | ${f.pct} |`),
      '',
    );
  }
  return out.join('\n');
}

export function renderSection({ before, after }, level = '##') {
  const md = [];
  md.push(`${level} Results`, '');
  if (before) md.push(`- before: ${runLine(before)}`);
  if (after) md.push(`- after: ${runLine(after)}`);
  md.push(
    '',
    ratioTable(before, after),
    '',
    'Ratios are per round (the two sides measured back to back), then the median over the rounds.',
    '',
  );
  md.push(
    caseTable(before, after),
    '',
    'Medians over the rounds. CPU per request: utime+stime from /proc/<pid>/stat of the app process and of its Postgres backends (by application_name) over the measured run, divided by the requests answered.',
    '',
  );
  md.push(profileSection(before, 'before'), profileSection(after, 'after'));
  return md.join('\n');
}

export function writeReport() {
  const res = loadResults();
  const md = [
    '# Request-path bench',
    '',
    "`npm run bench -- requests`: the service's ordinary routes against a bare Nest app (Express, no guards, pipes, interceptors, CLS or request logging) doing the same SQL (`bench/requests/bare-app.mjs`), and what an `Idempotency-Key` costs — all in one run, on one database seeded with 10,000 orders. The API runs as in production: `LOG_LEVEL=log` (info: one completion line per request), the Redis rate limiter in the path (limit far above the load).",
    '',
    renderSection(res),
  ];
  writeFileSync(join(HERE, 'REPORT.md'), `${md.join('\n')}\n`);
}
