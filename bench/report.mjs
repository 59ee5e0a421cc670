#!/usr/bin/env node
// Combined benchmark report: reads the three benches' results.json files and writes bench/REPORT.md plus
// hand-built SVG bar charts in bench/charts/. No benchmark is run here; every figure comes from:
//
//   bench/bulk/results.json        (written by bench/bulk/index.mjs; see bench/bulk/REPORT.md)
//   bench/pagination/results.json  (written by bench/pagination/index.mjs; see bench/pagination/REPORT.md)
//   bench/idempotency/results.json (written by bench/idempotency/index.mjs; see bench/idempotency/REPORT.md)
//   bench/requests/results.json    (written by bench/requests/index.mjs; see bench/requests/REPORT.md)
//   bench/soak/results.json        (written by bench/soak/index.mjs; see bench/soak/REPORT.md)
//   bench/fairness/results.json    (written by bench/fairness/index.mjs; see bench/fairness/REPORT.md)
//   bench/pooler/results.json      (written by bench/pooler/index.mjs; see bench/pooler/REPORT.md)
//
// A missing or unreadable file is skipped with a note in the report. The source path of each figure is given
// in a comment where it is read (the `// <-` comments below). Verdicts use the same rules as the benches' own
// REPORT.md files (bulk: writeReport() in bench/bulk/index.mjs; pagination: `ours.deepOverPage1 <= 1.2`;
// idempotency: ratio of medians `>= 0.75` and `> 1`).
//
//   node bench/report.mjs        (also run by `node bench/run.mjs` after all benches, or after several)
import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize as summarizeBulk } from './bulk/report.mjs';
import { renderBody as renderRequestsBody, TARGETS as REQUEST_TARGETS } from './requests/report.mjs';
import { soakChart } from './soak/chart.mjs';
import { renderSoakBody } from './soak/report.mjs';
import { CASE_LABELS as POOLER_CASES, headline as poolerHeadline } from './pooler/report.mjs';
import { TARGETS as POOLER_TARGETS } from './pooler/env.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const CHART_DIR = join(BENCH_DIR, 'charts');
const OUT = join(BENCH_DIR, 'REPORT.md');

// ------------------------------------------------------------------------------------------ helpers

function load(name) {
  const file = join(BENCH_DIR, name, 'results.json');
  if (!existsSync(file)) return { file, data: null, note: `\`${relative(ROOT, file)}\` not found — run \`npm run bench -- ${name}\`` };
  try {
    return { file, data: JSON.parse(readFileSync(file, 'utf8')), note: null };
  } catch (e) {
    return { file, data: null, note: `\`${relative(ROOT, file)}\` could not be read (${e.message})` };
  }
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** 3 significant figures, thousands separated (e.g. 23,803 / 131 / 3.44 / 0.64). */
function fmt(x, digits) {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  if (digits !== undefined) return x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x).toLocaleString('en');
  if (a >= 10) return (+x.toFixed(1)).toLocaleString('en');
  return (+x.toFixed(2)).toLocaleString('en');
}
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN);
const verdict = (ok) => (ok ? '**met**' : '**MISSED**');
const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const dateOf = (iso) => (iso ? String(iso).replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : 'n/a');

// ------------------------------------------------------------------------------------------ SVG charts

const COLORS = ['#2563eb', '#f97316', '#6b7280', '#16a34a', '#9333ea'];

function niceStep(max, ticks = 5) {
  const raw = max / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/**
 * Horizontal grouped bar chart.
 * groups: [{ label, values: [number|null per series] }]; series: [{ name, color? }];
 * refs: [{ value, label }] dashed vertical lines; log: log10 axis (bars start at the lowest decade).
 */
function hbarChart({ title, subtitle, xLabel, groups, series, log = false, refs = [], unit = '' }) {
  const W = 820;
  const left = 250;
  const right = 110;
  const barH = 18;
  const barGap = 3;
  const groupGap = 16;
  const legendH = series.length > 1 ? 22 : 0;
  const top = 52 + legendH + (refs.length ? 16 * refs.length : 0);
  const plotW = W - left - right;
  const all = [...groups.flatMap((g) => g.values), ...refs.map((r) => r.value)].filter((v) => Number.isFinite(v) && v > 0);
  let lo;
  let hi;
  let ticks = [];
  if (log) {
    lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
    hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
    if (hi === lo) hi = lo * 10;
    for (let d = lo; d <= hi * 1.0001; d *= 10) {
      ticks.push({ v: d, major: true });
      if (d < hi) for (const m of [2, 5]) ticks.push({ v: d * m, major: false });
    }
  } else {
    lo = 0;
    const step = niceStep(Math.max(...all));
    hi = Math.ceil((Math.max(...all) * 1.02) / step) * step;
    for (let v = 0; v <= hi + step / 1e6; v += step) ticks.push({ v, major: true });
  }
  const x = (v) => left + (log ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo)) * plotW;
  const groupHeight = (g) => g.values.length * barH + (g.values.length - 1) * barGap;
  const plotH = groups.reduce((s, g) => s + groupHeight(g), 0) + groupGap * (groups.length + 1);
  const H = top + plotH + 58;
  const o = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  o.push(`<text x="${W / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${xml(title)}</text>`);
  if (subtitle) o.push(`<text x="${W / 2}" y="38" text-anchor="middle" fill="#555">${xml(subtitle)}</text>`);
  if (series.length > 1) {
    let lx = left;
    series.forEach((s, i) => {
      o.push(`<rect x="${lx}" y="${48}" width="12" height="12" fill="${s.color ?? COLORS[i]}"/>`);
      o.push(`<text x="${lx + 17}" y="${58}">${xml(s.name)}</text>`);
      lx += 30 + s.name.length * 7;
    });
  }
  // grid + tick labels
  const y0 = top;
  const y1 = top + plotH;
  for (const t of ticks) {
    const tx = x(t.v).toFixed(1);
    o.push(`<line x1="${tx}" y1="${y0}" x2="${tx}" y2="${y1}" stroke="${t.major ? '#d1d5db' : '#eef0f3'}"/>`);
    if (t.major || log) o.push(`<text x="${tx}" y="${y1 + 16}" text-anchor="middle" fill="${t.major ? '#333' : '#888'}" font-size="${t.major ? 11 : 10}">${xml(fmt(t.v))}</text>`);
  }
  o.push(`<line x1="${left}" y1="${y0}" x2="${left}" y2="${y1}" stroke="#333"/>`);
  o.push(`<line x1="${left}" y1="${y1}" x2="${left + plotW}" y2="${y1}" stroke="#333"/>`);
  o.push(`<text x="${left + plotW / 2}" y="${y1 + 38}" text-anchor="middle" fill="#333">${xml(xLabel + (log ? ' (log scale)' : ''))}</text>`);
  // bars
  let y = top + groupGap;
  for (const g of groups) {
    const gh = groupHeight(g);
    o.push(`<text x="${left - 8}" y="${(y + gh / 2 + 4).toFixed(1)}" text-anchor="end" fill="#111">${xml(g.label)}</text>`);
    g.values.forEach((v, i) => {
      const by = y + i * (barH + barGap);
      if (Number.isFinite(v)) {
        const w = Math.max(1, x(v) - left);
        const color = g.colors?.[i] ?? series[i]?.color ?? COLORS[i];
        o.push(`<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="${barH}" fill="${color}"><title>${xml(`${g.label} — ${series[i]?.name ?? ''}: ${fmt(v)}${unit}`)}</title></rect>`);
        o.push(`<text x="${(left + w + 5).toFixed(1)}" y="${by + barH - 5}" fill="#111">${xml(fmt(v) + unit)}</text>`);
      } else {
        o.push(`<text x="${left + 5}" y="${by + barH - 5}" fill="#999">n/a</text>`);
      }
    });
    y += gh + groupGap;
  }
  // reference lines, labels stacked above the plot
  refs.forEach((r, i) => {
    const rx = x(r.value).toFixed(1);
    const ly = top - 6 - 16 * (refs.length - 1 - i);
    o.push(`<line x1="${rx}" y1="${ly + 3}" x2="${rx}" y2="${y1}" stroke="#dc2626" stroke-width="1.5" stroke-dasharray="5,4"/>`);
    const anchor = +rx > left + plotW * 0.6 ? 'end' : 'start';
    o.push(`<text x="${anchor === 'end' ? +rx - 4 : +rx + 4}" y="${ly}" text-anchor="${anchor}" fill="#dc2626" font-size="11">${xml(r.label)}</text>`);
  });
  o.push('</svg>');
  return o.join('\n') + '\n';
}

const charts = [];
function chart(name, spec) {
  charts.push({ name, svg: hbarChart(spec) });
  return `charts/${name}`;
}

// ------------------------------------------------------------------------------------------ inputs

const B = load('bulk');
const P = load('pagination');
const I = load('idempotency');
const md = [];
const headlines = [];

// ------------------------------------------------------------------------------------------ intro

md.push('# Benchmark report', '');
md.push(
  `Generated by \`node bench/report.mjs\` from the three benches' \`results.json\` (no benchmark is run by it; \`node bench/run.mjs\` runs it after the benches). ` +
    'Each bench has its own detailed REPORT.md; this page collects the headline medians and ratios.',
  '',
);
{
  // <- <bench>/results.json .machine.nproc and the 1-min load average at start (.machine.loadavgAtStart ?? .machine.loadavg)
  const ms = [B, P, I].filter((L) => L.data).map((L) => L.data.machine ?? {});
  const cores = [...new Set(ms.map((m) => m.nproc).filter(Boolean))].join('/') || '?';
  const loads = ms.map((m) => (m.loadavgAtStart ?? m.loadavg)?.[0]).filter(Number.isFinite);
  const loadTxt = loads.length ? ` (1-min load average at the start of the runs: ${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))})` : '';
  md.push(
    `> **${cores} shared cores: compare ratios.** Every run shared ${cores} CPU cores with the database, Redis, the load generator and other jobs${loadTxt}, so absolute figures are modest and noisy; the ratios, measured under the same load on both sides, are the point.`,
    '',
  );
}
md.push('| bench | run | date of the run | machine | Node | PostgreSQL | Redis | load avg at start (1/5/15 min) | details |');
md.push('|---|---|---|---|---|---|---|---|---|');
for (const [name, L] of [['bulk', B], ['pagination', P], ['idempotency', I]]) {
  if (!L.data) {
    md.push(`| ${name} | — | — | — | — | — | — | — | skipped: ${L.note} |`);
    continue;
  }
  const j = L.data;
  const m = j.machine ?? {}; // <- <bench>/results.json .machine (bench/_lib/machine.mjs)
  const pg = (m.postgres ?? j.postgres ?? 'n/a').replace(/^PostgreSQL /, ''); // <- .machine.postgres (bulk, pagination) / .postgres (idempotency)
  const redis = m.redis ?? j.redis ?? 'n/a'; // <- .machine.redis (bulk) / .redis (idempotency)
  const la = m.loadavgAtStart ?? m.loadavg; // <- .machine.loadavgAtStart (pagination) / .machine.loadavg
  const run = j.run ?? j.runId ?? 'n/a'; // <- .run (bulk, idempotency) / .runId (pagination)
  md.push(
    `| ${name} | ${run} | ${dateOf(m.date)} | ${m.nproc ?? '?'} cores (${m.cpuModel ?? '?'}), ${m.totalMemGiB ?? '?'} GiB, ${m.os ?? '?'} | ${m.node ?? 'n/a'} | ${pg} | ${redis} | ${la ? la.join(' / ') : 'n/a'} | [${name}/REPORT.md](${name}/REPORT.md) |`,
  );
}
md.push('');

// ------------------------------------------------------------------------------------------ 1. bulk

md.push('## 1. Bulk jobs: storage v2 against the SQL limit, before and after', '');
if (!B.data) {
  md.push(`_Skipped: ${B.note}._`, '');
} else {
  const j = B.data;
  // <- bulk results.json: .limit.serverSide/.clientDriven, .builds.{before,after}.* (see bench/bulk/report.mjs)
  const { server, client, rows } = summarizeBulk(j);
  const A = rows.after;
  const Bf = rows.before ?? {};
  md.push(
    `Run ${dateOf(j.machine?.date)}: update_orders_status of ${fmt(j.config?.n)} items, POST → \`completed\`, median of ${j.config?.reps} runs, against the same UPDATE on a same-schema clone (server-side ${fmt(server)} rows/s, client-driven ${fmt(client)} rows/s). Before = item-per-row storage, after = chunk storage, same run.`,
    '',
  );
  md.push('| measurement | before | after | target | verdict |', '|---|---|---|---|---|');
  md.push(`| throughput / server-side limit, workers in the API | ${fmt(ratio(Bf.inApi, server), 2)} | ${fmt(ratio(A.inApi, server), 2)} | ≥ 0.7 | ${verdict(A.inApi >= 0.7 * server)} |`);
  md.push(`| throughput / server-side limit, separate worker | n/a | ${fmt(ratio(A.separate, server), 2)} | ≥ 0.7 | ${verdict(A.separate >= 0.7 * server)} |`);
  md.push(`| accept 10k JSON, idle workers (median ms) | ${fmt(Bf.acceptIdle)} | ${fmt(A.acceptIdle)} | ≤ 50 | ${verdict(A.acceptIdle <= 50)} |`);
  md.push(`| accept 10k JSON during a 1M job (median ms) | ${fmt(Bf.acceptDuring)} | ${fmt(A.acceptDuring)} | ≤ 100 | ${verdict(A.acceptDuring <= 100)} |`);
  md.push(`| accept 1M-line NDJSON (s) | ${fmt(Bf.bigAcceptS, 2)} | ${fmt(A.bigAcceptS, 2)} | ≤ 2 | ${verdict(A.bigAcceptS <= 2)} |`);
  md.push(`| rows written to job tables for it | ${fmt(Bf.bigRows)} | ${fmt(A.bigRows)} | ≤ 10,000 | ${verdict(A.bigRows <= 10_000)} |`);
  md.push(`| GET p99 during / idle, workers in the API | ${fmt(Bf.p99Ratio, 2)} | ${fmt(A.p99Ratio, 2)} | ≤ 3 | ${verdict(A.p99Ratio <= 3)} |`);
  md.push(`| GET p99 during / idle, separate worker | n/a | ${fmt(A.p99RatioSeparate, 2)} | ≤ 3 | ${verdict(A.p99RatioSeparate <= 3)} |`);
  md.push('');
  const src = chart('bulk-throughput.svg', {
    title: `update_orders_status, ${fmt(j.config?.n)} items (items/s, higher is better)`,
    subtitle: `${dateOf(j.machine?.date)} — 2 shared cores`,
    xLabel: 'items per second',
    series: [{ name: 'items/s' }],
    groups: [
      { label: 'SQL limit, server-side', values: [server], colors: ['#6b7280'] },
      { label: 'SQL limit, client-driven', values: [client], colors: ['#9ca3af'] },
      { label: 'before (item rows), workers in API', values: [Bf.inApi ?? null], colors: ['#f97316'] },
      { label: 'after (chunks), workers in API', values: [A.inApi], colors: ['#2563eb'] },
      { label: 'after (chunks), separate worker', values: [A.separate], colors: ['#1d4ed8'] },
    ],
    refs: [{ value: 0.7 * server, label: `target ≥ 0.7 × server-side limit = ${fmt(0.7 * server)}/s` }],
  });
  md.push(`Chart: [bulk throughput](${src})`, '');
  headlines.push(
    `Bulk update_orders_status runs at **${fmt(ratio(A.inApi, server), 2)} × the server-side SQL limit** with workers in the API (${fmt(ratio(A.separate, server), 2)} × with a separate worker; before: ${fmt(ratio(Bf.inApi, server), 2)} ×); a 10k-item JSON job is accepted in a median **${fmt(A.acceptIdle)} ms** (before ${fmt(Bf.acceptIdle)} ms) and a 1M-line upload in **${fmt(A.bigAcceptS, 2)} s** writing ${fmt(A.bigRows)} rows (before ${fmt(Bf.bigAcceptS, 2)} s, ${fmt(Bf.bigRows)} rows).`,
  );
}

// ------------------------------------------------------------------------------------------ 2. pagination

md.push('## 2. Pagination: page 1 vs a deep page', '');
if (!P.data) {
  md.push(`_Skipped: ${P.note}._`, '');
} else {
  const j = P.data;
  const S = j.latency?.summary ?? {}; // <- pagination .latency.summary[id].{page1,deep}.medianOfMedians (median of the round medians, ms)
  //    .deepOverPage1 = median over rounds of the per-round deep/page-1 ratio (the REPORT's headline ratio)
  //    .deepOverOursDeep = median over rounds of (this deep / ours deep)
  const impls = (j.implementations ?? []).filter((x) => S[x.id]); // <- pagination .implementations [{id,name,mode}]
  const checks = j.verification?.checks?.impls ?? {}; // <- pagination .verification.checks.impls[id].deep.{overlap,expected,firstReturnedRowNumber}
  const depth = j.config?.depth; // <- pagination .config.depth / .limit / .rows
  const short = { ours: 'this service', offset: 'OFFSET', 'np-cursor': 'nestjs-paginate (cursor)', 'np-page': 'nestjs-paginate (pages)', tcp: 'typeorm-cursor-pagination' };
  const label = (id) => short[id] ?? id;
  md.push(
    `Run ${j.runId} on ${dateOf(j.machine?.date)}. \`GET /orders\` of a tenant with ${fmt(j.config?.rows)} orders, limit ${j.config?.limit}; page 1 vs the page after row ${fmt(depth)}. Median of ${j.config?.rounds} round medians per case; ratios are taken within each round and the median over rounds is shown. Target for ours: deep ≤ 1.2 × page 1.`,
    '',
  );
  md.push('| implementation | page 1 median ms | deep median ms | deep / page 1 | deep / ours deep | deep page rows correct | target |', '|---|---:|---:|---:|---:|---|---|');
  for (const impl of impls) {
    const s = S[impl.id];
    const d = checks[impl.id]?.deep;
    const rowsOk = d ? (d.exact ? 'yes' : `no: ${d.overlap}/${d.expected} expected rows, starts at row #${fmt(d.firstReturnedRowNumber)}`) : 'n/a';
    const tgt = impl.id === 'ours' ? `≤ 1.2× ${verdict(s.deepOverPage1 <= 1.2)}` : '';
    md.push(`| ${impl.name} | ${fmt(s.page1.medianOfMedians)} | ${fmt(s.deep.medianOfMedians)} | ${fmt(s.deepOverPage1, 2)}× | ${fmt(s.deepOverOursDeep, 1)}× | ${rowsOk} | ${tgt} |`);
  }
  md.push('');
  if (impls.length) {
    const src = chart('pagination-latency.svg', {
      title: `GET /orders: page 1 vs the page at depth ${fmt(depth)} (median ms, lower is better)`,
      subtitle: `run ${j.runId}, ${dateOf(j.machine?.date)} — median of ${j.config?.rounds} round medians, 2 shared cores`,
      xLabel: 'milliseconds per request',
      log: true,
      unit: ' ms',
      series: [{ name: 'page 1', color: '#93c5fd' }, { name: `deep page (after row ${fmt(depth)})`, color: '#1d4ed8' }],
      groups: impls.map((x) => ({ label: label(x.id), values: [S[x.id].page1.medianOfMedians, S[x.id].deep.medianOfMedians] })),
    });
    const src2 = chart('pagination-depth-ratio.svg', {
      title: 'Depth penalty: deep-page / page-1 latency (lower is better)',
      subtitle: 'median over rounds of the per-round ratio',
      xLabel: 'deep / page 1 (×)',
      log: true,
      unit: '×',
      series: [{ name: 'ratio' }],
      groups: impls.map((x) => ({ label: label(x.id), values: [S[x.id].deepOverPage1], colors: [x.id === 'ours' ? '#2563eb' : '#9ca3af'] })),
      refs: [{ value: 1.2, label: 'target for ours ≤ 1.2×' }],
    });
    md.push(`Charts: [page 1 vs deep page](${src}) (grouped bars, log scale) · [deep / page-1 ratio](${src2}) (log scale)`, '');
  }
  // <- pagination .walks[name].{pages,rowsReturned,missing,duplicates}: walk from page 1 following each library's own cursor,
  //    compared with ORDER BY created_at, id in SQL; entries with .status are attempts that failed (HTTP error).
  const walks = Object.entries(j.walks ?? {});
  if (walks.length) {
    md.push(`**Cursor correctness** (walk from page 1 following each implementation's own next cursor; created_at has microseconds, ${fmt(j.data?.rowsSharingAMillisecond)} rows share their millisecond with another row, ${fmt(j.data?.tieGroups)} exact ties):`, '');
    md.push('| walk | pages × limit | rows returned | rows skipped | rows repeated |', '|---|---:|---:|---:|---:|');
    for (const [name, w] of walks) {
      if (w.status !== undefined && w.pages === undefined) {
        md.push(`| ${name} | — | HTTP ${w.status} | — | — |`);
        continue;
      }
      const bold = (v) => (v ? `**${fmt(v)}**` : fmt(v));
      md.push(`| ${name} | ${w.pages} × ${j.config?.limit} | ${fmt(w.rowsReturned)} | ${bold(w.missing)} | ${bold(w.duplicates)} |`);
    }
    md.push('', 'tcp = typeorm-cursor-pagination (its cursor keeps created_at in milliseconds); np-cursor = nestjs-paginate cursor mode (cursor on created_at only).', '');
  }
  const o = S.ours;
  if (o) {
    const others = impls.filter((x) => x.id !== 'ours');
    const worst = others.filter((x) => ['offset', 'tcp'].includes(x.id)).map((x) => `${fmt(S[x.id].deepOverPage1, 0)}× with ${label(x.id)}`);
    headlines.push(`Pagination: the page after row ${fmt(depth)} costs **${fmt(o.deepOverPage1, 2)}× page 1** (target ≤ 1.2 — ${o.deepOverPage1 <= 1.2 ? 'met' : 'missed'})${worst.length ? `, vs ${worst.join(' and ')}` : ''}.`);
    const offs = S.offset;
    if (offs) headlines.push(`Pagination: at depth ${fmt(depth)} our page is **${fmt(offs.deepOverOursDeep, 0)}× faster than OFFSET** (${fmt(o.deep.medianOfMedians)} vs ${fmt(offs.deep.medianOfMedians)} ms median).`);
    const wo = j.walks?.ours;
    const bad = walks.filter(([k, w]) => k !== 'ours' && w.pages !== undefined && (w.missing || w.duplicates));
    if (wo && bad.length)
      headlines.push(`Cursor correctness: **${wo.missing} skipped / ${wo.duplicates} repeated** rows over ${fmt(wo.rowsReturned)} rows with ours, vs ${bad.map(([k, w]) => `${k} ${[w.missing ? `${w.missing} skipped` : '', w.duplicates ? `${w.duplicates} repeated` : ''].filter(Boolean).join(', ')} over ${fmt(w.rowsReturned)}`).join('; ')}.`);
  }
}

// ------------------------------------------------------------------------------------------ 3. idempotency

md.push('## 3. Idempotency keys: ours vs @node-idempotency/nestjs', '');
if (!I.data) {
  md.push(`_Skipped: ${I.note}._`, '');
} else {
  const j = I.data;
  const o = j.summary?.ours ?? {}; // <- idempotency .summary.ours.{nokey,fresh,replay}.{rps,p99}: medians of the rounds
  const p = j.summary?.peer ?? {}; // <- idempotency .summary.peer.{bare,nokey,fresh,replay}.{rps,p99}
  // <- idempotency .runs['ours.fresh'][i].rps / .runs['ours.nokey'][i].rps: per-round pairs (as pairedRatio() in bench/idempotency/index.mjs)
  const paired = (a, b) => median((j.runs?.[a] ?? []).map((x, i) => (x && j.runs[b]?.[i] ? x.rps / j.runs[b][i].rps : NaN)));
  const cfg = j.config ?? {}; // <- idempotency .config.{connections,duration,reps,raceN,raceTrials}
  md.push(
    `Run ${j.run} on ${dateOf(j.machine?.date)}. \`POST /orders\` under autocannon (${cfg.connections} connections, ${cfg.duration} s per run, ${cfg.reps} rounds; medians of the rounds). Ours keeps the key in Postgres in the order's transaction; the peer (@node-idempotency/nestjs, ${j.peerStorage} storage) in a small Nest app with a bare \`INSERT\` handler. The peer's "no key" is its route with the interceptor on; "bare" is the same route without the interceptor.`,
    '',
  );
  const cases = [
    ['no key', 'nokey'],
    ['fresh key per request', 'fresh'],
    ['replay of one key', 'replay'],
  ];
  md.push('| case | ours req/s | ours p99 ms | peer req/s | peer p99 ms |', '|---|---:|---:|---:|---:|');
  if (p.bare) md.push(`| (peer) bare route, no interceptor | | | ${fmt(p.bare.rps, 0)} | ${fmt(p.bare.p99, 0)} |`);
  for (const [name, k] of cases) md.push(`| ${name} | ${fmt(o[k]?.rps, 0)} | ${fmt(o[k]?.p99, 0)} | ${fmt(p[k]?.rps, 0)} | ${fmt(p[k]?.p99, 0)} |`);
  md.push('');
  const oFresh = ratio(o.fresh?.rps, o.nokey?.rps);
  const oReplay = ratio(o.replay?.rps, o.fresh?.rps);
  const pFreshNokey = ratio(p.fresh?.rps, p.nokey?.rps);
  const pFreshBare = ratio(p.fresh?.rps, p.bare?.rps);
  const pReplay = ratio(p.replay?.rps, p.fresh?.rps);
  md.push('| ratio (req/s, ratio of medians) | ours | peer | target (ours) | verdict (ours) |', '|---|---:|---:|---|---|');
  md.push(`| fresh key / no key | ${fmt(oFresh, 2)} (paired per round: ${fmt(paired('ours.fresh', 'ours.nokey'), 2)}) | ${fmt(pFreshNokey, 2)} (vs bare: ${fmt(pFreshBare, 2)}) | ≥ 0.75 | ${verdict(oFresh >= 0.75)} |`);
  md.push(`| replay / fresh key | ${fmt(oReplay, 2)} (paired per round: ${fmt(paired('ours.replay', 'ours.fresh'), 2)}) | ${fmt(pReplay, 2)} | > 1 | ${verdict(oReplay > 1)} |`);
  md.push(`| p99 fresh key / no key | ${fmt(ratio(o.fresh?.p99, o.nokey?.p99), 2)} | ${fmt(ratio(p.fresh?.p99, p.nokey?.p99), 2)} | | |`);
  md.push('');
  const groups = cases.map(([name, k]) => ({ label: name, values: [o[k]?.rps ?? null, p[k]?.rps ?? null] }));
  const src = chart('idempotency-throughput.svg', {
    title: 'POST /orders throughput by Idempotency-Key case (req/s, higher is better)',
    subtitle: `run ${j.run}, ${dateOf(j.machine?.date)} — median of ${cfg.reps} rounds, 2 shared cores`,
    xLabel: 'requests per second',
    series: [{ name: 'this service (Postgres)', color: '#2563eb' }, { name: '@node-idempotency/nestjs (Redis)', color: '#f97316' }],
    groups,
  });
  const src2 = chart('idempotency-p99.svg', {
    title: 'POST /orders p99 latency by Idempotency-Key case (ms, lower is better)',
    subtitle: `autocannon ${cfg.connections} connections; median of ${cfg.reps} rounds`,
    xLabel: 'p99 milliseconds',
    unit: ' ms',
    series: [{ name: 'this service (Postgres)', color: '#2563eb' }, { name: '@node-idempotency/nestjs (Redis)', color: '#f97316' }],
    groups: cases.map(([name, k]) => ({ label: name, values: [o[k]?.p99 ?? null, p[k]?.p99 ?? null] })),
  });
  md.push(`Charts: [throughput](${src}) · [p99 latency](${src2}) (grouped bars). Absolute req/s are not comparable across the two apps (the service also runs auth, rate limiting, validation and CLS per request); compare each one's ratios.`, '');

  // <- idempotency .race.{ours,peer}[].{trial,rowsInserted,statuses}: ${raceN} identical concurrent POSTs with one key per trial
  const race = j.race ?? {};
  const trials = Math.max(race.ours?.length ?? 0, race.peer?.length ?? 0);
  if (trials) {
    const st = (t) => (t ? Object.entries(t.statuses ?? {}).map(([c, v]) => `${c}×${v}`).join(', ') : 'n/a');
    md.push(`**Race:** ${cfg.raceN} identical concurrent POSTs with the same key, ${trials} trials each (1 row expected per trial):`, '');
    md.push('| trial | ours rows inserted | ours status codes | peer rows inserted | peer status codes |', '|---|---:|---|---:|---|');
    for (let i = 0; i < trials; i++) {
      const a = race.ours?.[i];
      const b = race.peer?.[i];
      md.push(`| ${a?.trial ?? b?.trial ?? i + 1} | ${a ? `**${a.rowsInserted}**` : 'n/a'} | ${st(a)} | ${b ? `**${b.rowsInserted}**` : 'n/a'} | ${st(b)} |`);
    }
    md.push('');
  }
  const exact = (arr) => (arr ?? []).filter((t) => t.rowsInserted === 1).length;
  if (Number.isFinite(oReplay) && Number.isFinite(oFresh))
    headlines.push(`Idempotency: a replay serves **${fmt(oReplay, 2)}× the throughput of a fresh key** (target > 1 — ${oReplay > 1 ? 'met' : 'missed'}); a fresh key runs at **${fmt(oFresh, 2)}× no-key throughput** (target ≥ 0.75 — ${oFresh >= 0.75 ? 'met' : 'missed'}; the Redis-backed peer: ${fmt(pFreshNokey, 2)}× its no-key route, ${fmt(pFreshBare, 2)}× its bare route).`);
  if (race.ours?.length)
    headlines.push(`Idempotency race: ${cfg.raceN} concurrent identical POSTs with one key insert **exactly one row in ${exact(race.ours)}/${race.ours.length} trials** (peer: ${exact(race.peer)}/${race.peer?.length ?? 0}).`);
}

// ------------------------------------------------------------------------------------------ 4. tracing

const T = load('tracing');
md.push('## 4. Tracing: what OpenTelemetry costs POST /orders', '');
if (!T.data) md.push(`_Skipped: ${T.note}._`, '');
else {
  const t = T.data; // <- bench/tracing/results.json (bench/tracing/index.mjs)
  md.push(
    `Run ${dateOf(t.machine?.date)}, Node ${t.machine?.node ?? 'n/a'}, ${t.config?.rounds} interleaved rounds of ${t.config?.duration} s, ${t.config?.connections} connections; details in [tracing/REPORT.md](tracing/REPORT.md).`,
    '',
    '| mode | req/s (median) | × off | API CPU µs/request | × off | p99 ms (median) |',
    '|---|---:|---:|---:|---:|---:|',
  );
  for (const mode of t.modes ?? []) {
    const s = t.summary?.[mode.id] ?? {}; // <- .summary.<mode>.rps / .ratioToOff / .p99
    md.push(`| ${mode.id}: ${mode.what} | ${fmt(s.rps)} | ${fmt(s.ratioToOff, 3)} | ${fmt(s.cpuUsPerRequest)} | ${fmt(s.cpuRatioToOff, 3)} | ${fmt(s.p99)} |`);
  }
  md.push('');
  const s0 = t.summary?.['sampled-0']?.ratioToOff;
  const p0 = t.summary?.['parent-0']?.ratioToOff;
  const all = t.summary?.all?.ratioToOff;
  const c0 = t.summary?.['sampled-0']?.cpuRatioToOff;
  const cAll = t.summary?.all?.cpuRatioToOff;
  headlines.push(`Tracing: POST /orders runs at **${fmt(s0, 3)}× with an exporter configured and sampling off** (always_off: no instrumentation loaded), ${p0 ? `${fmt(p0, 3)}× instrumented but unsampled (parentbased_always_off), ` : ''}and **${fmt(all, 3)}× with every span exported**, of its throughput with tracing off (API CPU per request: ${fmt(c0, 3)}× and ${fmt(cAll, 3)}×).`);
}

// ------------------------------------------------------------------------------------------ 5. request path

md.push('## 5. The request path: ordinary routes against a bare Nest route', '');
{
  const file = join(BENCH_DIR, 'requests', 'results.json');
  if (!existsSync(file)) {
    md.push('_Skipped: `bench/requests/results.json` not found — run `npm run bench -- requests`._', '');
  } else {
    // <- requests .summary.ratios.{after,before}[name].{rps,cpu}.{median,perRound}, .summary.cases, .profiles
    const R = JSON.parse(readFileSync(file, 'utf8'));
    md.push(renderRequestsBody(R, '###'), '');
    const a = R.summary?.ratios?.after ?? {};
    const line = Object.entries(REQUEST_TARGETS)
      .filter(([k]) => a[k])
      .map(([k, t]) => `${k} ${fmt(a[k].rps.median, 2)} by throughput, ${fmt(a[k].cpu.median, 2)} per CPU-ms (target ≥ ${t})`)
      .join('; ');
    if (line) headlines.push(`Request path (this checkout): ${line}.`);
  }
}

// ------------------------------------------------------------------------------------------ 6. soak

const S = load('soak');
md.push('## 6. Soak: minutes of mixed traffic', '');
if (!S.data) md.push(`_Skipped: ${S.note}._`, '');
else {
  // <- soak .summary.{rps,s5xx,s503}, .routes[route].{p50,p99}, .samples[], .verify (bench/soak/index.mjs)
  const s = S.data;
  charts.push({ name: 'soak.svg', svg: soakChart(s.samples ?? []) });
  if ((s.config?.seconds ?? 0) < 600)
    md.push(`> Short run (${s.config?.seconds} s via SOAK_SECONDS), not the 10-minute reference soak.`, '');
  md.push(renderSoakBody(s, '###', 'charts/soak.svg'), '', 'Details (every sample, every job): [soak/REPORT.md](soak/REPORT.md).', '');
  const v = s.verify ?? {};
  headlines.push(
    `Soak (${s.config?.seconds} s): **${fmt(s.summary?.rps)} req/s**, **${s.summary?.s5xx} 5xx** (503: ${s.summary?.s503}), **${v.jobsCompleted}/${v.jobsSubmitted} jobs completed**, **${fmt(v.itemsCheckedExactlyOnce)}/${fmt(v.itemsSubmitted)} items checked exactly once** in SQL.`,
  );
}

// ------------------------------------------------------------------------------------------ 7. fairness

const F = load('fairness');
md.push('## 7. Fair scheduling: a small job of one tenant during another tenant\'s big job', '');
if (!F.data) md.push(`_Skipped: ${F.note}._`, '');
else {
  // <- fairness .summary.{fifo,after}.{loneItemsPerS,mixedItemsPerS,smallMsMedian,smallMsMax} (bench/fairness/index.mjs)
  const f = F.data;
  const a = f.summary?.after ?? {};
  const b = f.summary?.fifo;
  md.push(
    `Run ${dateOf(f.machine?.date)}, ${f.config?.bigN?.toLocaleString('en')}-item job, details in [fairness/REPORT.md](fairness/REPORT.md).`,
    '',
    '| build | big job alone, items/s | with small jobs, items/s | one-item job of another tenant, ms (median / max) |',
    '|---|---:|---:|---:|',
    ...(b ? [`| fifo (${f.config?.beforeRef}) | ${fmt(b.loneItemsPerS)} | ${fmt(b.mixedItemsPerS)} | ${fmt(b.smallMsMedian)} / ${fmt(b.smallMsMax)} |`] : []),
    `| this checkout | ${fmt(a.loneItemsPerS)} | ${fmt(a.mixedItemsPerS)} | ${fmt(a.smallMsMedian)} / ${fmt(a.smallMsMax)} |`,
    '',
  );
  headlines.push(
    `Fair scheduling: a one-item job of another tenant completes in **${fmt(a.smallMsMedian)} ms** (max ${fmt(a.smallMsMax)} ms) during a ${f.config?.bigN?.toLocaleString('en')}-item job${b ? ` (FIFO: ${fmt(b.smallMsMedian)} ms)` : ''}; the lone big job runs at **${b ? fmt(a.loneItemsPerS / b.loneItemsPerS, 3) : 'n/a'}×** its FIFO throughput.`,
  );
}

// ------------------------------------------------------------------------------------------ 8. pooler

const PB = load('pooler');
md.push('## 8. Behind PgBouncer (transaction mode) vs directly on Postgres', '');
if (!PB.data) md.push(`_Skipped: ${PB.note}._`, '');
else {
  // <- pooler .summary.ratios[case].{throughput,cpu}.{median,perRound}, .summary.cases[case].{direct,pooled} (bench/pooler/index.mjs)
  const p = PB.data;
  md.push(
    `Run ${dateOf(p.machine?.date)}, build ${p.build?.commit}, PgBouncer ${p.pgbouncer?.version} (pool_mode = transaction, default_pool_size = ${p.pgbouncer?.defaultPoolSize}); one build, one database, two API processes (\`DATABASE_POOL_MODE=session\` on Postgres, \`transaction\` on PgBouncer); ${p.config?.reps} rounds, ratios per round and their median; details in [pooler/REPORT.md](pooler/REPORT.md).`,
    '',
    '| case | direct | pooled | pooled / direct (per round) | per CPU-ms | target | verdict |',
    '|---|---:|---:|---|---:|---|---|',
  );
  for (const [id, label] of Object.entries(POOLER_CASES)) {
    const r = p.summary?.ratios?.[id];
    if (!r) continue;
    const c = p.summary.cases[id] ?? {};
    const v = (x) => (id === 'bulk' ? `${fmt(x?.perS)} items/s` : `${fmt(x?.rps)} req/s`);
    md.push(`| ${label} | ${v(c.direct)} | ${v(c.pooled)} | ${fmt(r.throughput.median, 2)} (${r.throughput.perRound.map((x) => fmt(x, 2)).join(', ')}) | ${fmt(r.cpu?.median, 2)} | ≥ ${POOLER_TARGETS[id]} | ${verdict(r.throughput.median >= POOLER_TARGETS[id])} |`);
  }
  md.push('');
  headlines.push(poolerHeadline(p));
}

// ------------------------------------------------------------------------------------------ headlines + write

md.push('## Headline ratios', '');
if (headlines.length) md.push(...headlines.map((h) => `- ${h}`));
else md.push('- (no results found)');
md.push('', '_All numbers above are read from the results.json files listed in the intro; see each bench\'s REPORT.md for method and caveats._', '');

mkdirSync(CHART_DIR, { recursive: true });
// Remove charts this script wrote before that it no longer produces (only *.svg in bench/charts).
const names = new Set(charts.map((c) => c.name));
for (const f of readdirSync(CHART_DIR)) if (f.endsWith('.svg') && !names.has(f)) unlinkSync(join(CHART_DIR, f));
for (const c of charts) writeFileSync(join(CHART_DIR, c.name), c.svg);
writeFileSync(OUT, md.join('\n'));
console.log(`wrote ${relative(ROOT, OUT)} and ${charts.length} chart(s) in ${relative(ROOT, CHART_DIR)}/`);
for (const L of [B, P, I, T, S, F, PB]) if (L.note) console.log(`skipped: ${L.note.replace(/`/g, '')}`);
