// Writes bench/bulk/REPORT.md from a run's results: every figure with its ratio, before and after.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../_lib/stats.mjs';
import { HERE, ratio, round } from './env.mjs';

const med = (runs, pick = (r) => r.perS) => (runs?.length ? median(runs.map(pick)) : null);
const f0 = (x) => (x === null || x === undefined ? 'n/a' : Math.round(x).toLocaleString('en-US'));
const f1 = (x) => (x === null || x === undefined ? 'n/a' : round(x, 1).toString());
const f2 = (x) => (x === null || x === undefined ? 'n/a' : round(x, 2).toString());
const verdict = (ok) => (ok === null ? '' : ok ? 'met' : '**missed**');

export function summarize(result) {
  const L = result.limit;
  const server = median(L.serverSide);
  const client = median(L.clientDriven);
  const rows = {};
  for (const [label, b] of Object.entries(result.builds)) {
    const big = b.bigInApi;
    rows[label] = {
      inApi: med(b.throughputInApi),
      inApiJson: med(b.throughputInApi?.filter((r) => r.format === 'json')),
      inApiNdjson: med(b.throughputInApi?.filter((r) => r.format === 'ndjson')),
      separate: med(b.throughputSeparate),
      separateJson: med(b.throughputSeparate?.filter((r) => r.format === 'json')),
      separateNdjson: med(b.throughputSeparate?.filter((r) => r.format === 'ndjson')),
      acceptIdle: b.acceptIdle?.median ?? null,
      acceptDuring: big?.acceptDuring?.median ?? null,
      bigAcceptS: big?.acceptS ?? null,
      bigRows: big ? Object.values(big.written).reduce((a, w) => a + w.rows, 0) : null,
      bigToast: big ? Object.values(big.written).reduce((a, w) => a + w.toast, 0) : null,
      rss: big?.rssGrowthMiB ?? null,
      dedupeAcceptS: b.dedupeUpload?.acceptS ?? null,
      dedupeRss: b.dedupeUpload?.rssGrowthMiB ?? null,
      p99Ratio: big?.ratioP99 ?? null,
      p99RatioSeparate: b.bigSeparate?.ratioP99 ?? null,
    };
  }
  return { server, client, rows };
}

export function writeReport(result) {
  const { server, client, rows } = summarize(result);
  const A = rows.after;
  const B = rows.before ?? {};
  const md = [];
  md.push('# Bulk jobs bench: storage v2', '');
  md.push(
    `Run ${result.startedAt} → ${result.finishedAt ?? 'unfinished'}; ${result.machine.nproc} cores (${result.machine.cpuModel}), ` +
      `Node ${result.machine.node}, load average at start ${result.machine.loadavg.join(' / ')}. ` +
      `Before = item-per-row storage (${result.config.beforeRef}), after = this checkout; both measured in this run. ` +
      `N = ${f0(result.config.n)} items, chunks of 1000, WORKER_CONCURRENCY 2, medians of ${result.config.reps} runs.`,
    '',
  );
  md.push('## update_orders_status, POST → completed', '');
  md.push(
    `Limit (same UPDATE … FROM 1000 ids, commit per 1000, clone of \`orders\` with all its indexes, the same three transitions): ` +
      `**server-side ${f0(server)} rows/s**, client-driven ${f0(client)} rows/s.`,
    '',
  );
  md.push(
    '| build, topology | items/s (all runs) | JSON | NDJSON | / server-side limit | / client-driven limit | target ≥ 0.7 |',
  );
  md.push('|---|---:|---:|---:|---:|---:|---|');
  const line = (name, all, json, nd) =>
    md.push(
      `| ${name} | ${f0(all)} | ${f0(json)} | ${f0(nd)} | ${f2(ratio(all, server))} | ${f2(ratio(all, client))} | ${verdict(all ? all / server >= 0.7 : null)} |`,
    );
  if (rows.before) line('before, workers in the API', B.inApi, B.inApiJson, B.inApiNdjson);
  line('after, workers in the API', A.inApi, A.inApiJson, A.inApiNdjson);
  line('after, separate worker process', A.separate, A.separateJson, A.separateNdjson);
  md.push('');
  md.push('## Accept, memory, rows, latency', '');
  md.push(
    'Accept latency is the median of sequential POSTs of a 10,000-item `create_orders` JSON job to a warm service (30 POSTs first, not counted), queue paused; the service runs with the flags it is deployed with (`--max-semi-space-size=64`).',
    '',
  );
  md.push('| measurement | before | after | after / before | target |');
  md.push('|---|---:|---:|---:|---|');
  const row = (name, b, a, target, ok) =>
    md.push(
      `| ${name} | ${b} | ${a} | ${f2(ratio(Number(String(a).replace(/,/g, '')), Number(String(b).replace(/,/g, ''))))} | ${target} ${verdict(ok)} |`,
    );
  row(
    'accept 10k JSON, idle workers, median ms',
    f1(B.acceptIdle),
    f1(A.acceptIdle),
    '≤ 50 ms',
    A.acceptIdle !== null ? A.acceptIdle <= 50 : null,
  );
  row(
    'accept 10k JSON during a 1M job, median ms',
    f1(B.acceptDuring),
    f1(A.acceptDuring),
    '≤ 100 ms',
    A.acceptDuring !== null ? A.acceptDuring <= 100 : null,
  );
  row(
    'accept 1M-line NDJSON, s',
    f2(B.bigAcceptS),
    f2(A.bigAcceptS),
    '≤ 2 s',
    A.bigAcceptS !== null ? A.bigAcceptS <= 2 : null,
  );
  row(
    'rows written to job tables for it',
    f0(B.bigRows),
    f0(A.bigRows),
    '≤ 10,000',
    A.bigRows !== null ? A.bigRows <= 10_000 : null,
  );
  row('… plus TOAST rows', f0(B.bigToast), f0(A.bigToast), '', null);
  row(
    'API RSS growth during it, MiB',
    f1(B.rss),
    f1(A.rss),
    '< 150 MB',
    A.rss !== null ? A.rss < 143 : null,
  );
  row(
    'accept 1M-line keyed NDJSON (update_orders_status, duplicate check), s',
    f2(B.dedupeAcceptS),
    f2(A.dedupeAcceptS),
    '',
    null,
  );
  row(
    'API RSS growth during the keyed upload, MiB',
    f1(B.dedupeRss),
    f1(A.dedupeRss),
    '< 150 MB',
    A.dedupeRss !== null ? A.dedupeRss < 143 : null,
  );
  row(
    'GET /orders/{id} p99 during / idle, workers in API',
    f2(B.p99Ratio),
    f2(A.p99Ratio),
    '≤ 3×',
    A.p99Ratio !== null ? A.p99Ratio <= 3 : null,
  );
  row(
    'GET /orders/{id} p99 during / idle, separate worker',
    'n/a',
    f2(A.p99RatioSeparate),
    '≤ 3×',
    A.p99RatioSeparate !== null ? A.p99RatioSeparate <= 3 : null,
  );
  md.push('');
  for (const [label, b] of Object.entries(result.builds)) {
    for (const key of ['bigInApi', 'bigSeparate']) {
      const big = b[key];
      if (!big) continue;
      md.push(
        `- ${label}, ${key === 'bigInApi' ? 'workers in the API' : 'separate worker'}: GET p99 idle ${f1(big.idle.p99)} ms (runs ${big.idle.runs.map(f1).join(', ')}), ` +
          `during ${f1(big.during.p99)} ms; the 1M job ${big.status} ${f1(big.completedS)} s after its POST; rows written ${JSON.stringify(big.written)}.`,
      );
    }
  }
  md.push('');
  const P = result.builds.after?.profile;
  if (P) {
    md.push('## Profile of one chunk (1000 items, update_orders_status, separate worker)', '');
    md.push(`Wall time per chunk: **${f1(P.wallMsPerChunk)} ms** (2 chunks run at once).`, '');
    md.push('| worker CPU (self time) | ms per chunk |', '|---|---:|');
    for (const [k, v] of Object.entries(P.workerMsPerChunk).sort((a, b) => b[1] - a[1]))
      md.push(`| ${k} | ${f2(v)} |`);
    md.push('', '| Postgres backends busy in | ms per chunk |', '|---|---:|');
    for (const [k, v] of Object.entries(P.pgMsPerChunk).sort((a, b) => b[1] - a[1]))
      md.push(`| ${k} | ${f2(v)} |`);
    const V = result.builds.after?.validation;
    if (V) {
      md.push(
        '',
        `Checking 1000 items (CPU ms, median): **${f2(V.compiledMsPer1000)} ms** with the checks compiled from the DTO's decorators, ` +
          `${f2(V.classValidatorMsPer1000)} ms through class-transformer + class-validator (${f1(ratio(V.classValidatorMsPer1000, V.compiledMsPer1000))}× more). ` +
          'Valid JSON items take the compiled checks; invalid items (for their messages) and CSV items (implicit conversion) take class-validator.',
      );
    }
    md.push('', 'Top worker functions (self ms per chunk):', '');
    for (const [k, v] of P.topFunctions) md.push(`- ${f2(v)} ms — \`${k}\``);
    md.push('');
  }
  writeFileSync(join(HERE, 'REPORT.md'), `${md.join('\n')}\n`);
}
