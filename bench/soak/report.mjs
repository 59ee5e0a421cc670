// bench/soak/REPORT.md from the results object (also imported by bench/report.mjs for its soak section).
const f = (x, d = 1) =>
  x === null || x === undefined || !Number.isFinite(x)
    ? 'n/a'
    : (+x.toFixed(d)).toLocaleString('en');
const range = (xs) => {
  const v = xs.filter((x) => x != null && Number.isFinite(x));
  return v.length ? `${f(v[0])} → ${f(v[v.length - 1])} (max ${f(Math.max(...v))})` : 'n/a';
};

/** The figures table and checks, without a title: `h` is the heading level for sub-sections. */
export function renderSoakBody(r, h = '##', chartPath = 'soak.svg') {
  const s = r.summary;
  const v = r.verify;
  const o = [];
  o.push(
    `${r.config.seconds} s of mixed traffic against the built service (API${r.config.workers ? ` + ${r.config.workers} worker process` : ' with its workers inside'}), run ${r.machine.date}, ${r.machine.nproc} CPUs, 1-min load at start ${r.machine.loadavgAtStart?.[0] ?? 'n/a'}.`,
    '',
    `- **${f(s.rps)} requests/s** overall (${s.requests.toLocaleString('en')} requests in ${f(s.seconds)} s)`,
    `- **5xx other than 503: ${s.s5xx}**; 503: ${s.s503}; network errors: ${s.networkErrors}`,
    `- RSS API MiB: ${range(r.samples.map((x) => x.apiRssMiB))}` +
      (r.config.workers ? `; worker MiB: ${range(r.samples.map((x) => x.workerRssMiB?.[0]))}` : ''),
    `- Postgres connections to the bench database: ${range(r.samples.map((x) => x.pgConnections))}`,
    `- Bulk jobs: **${v.jobsCompleted}/${v.jobsSubmitted} completed**, **${v.itemsCheckedExactlyOnce.toLocaleString('en')}/${v.itemsSubmitted.toLocaleString('en')} items checked exactly once** in SQL` +
      (Object.keys(r.bulkRejected).length
        ? `; POST /bulk-jobs answers other than 202: ${JSON.stringify(r.bulkRejected)}`
        : ''),
    `- Idempotency: ${v.keyed.keys} keys → ${v.keyed.ordersInDb} orders in the database (${v.keyed.exactlyOnce ? 'one each' : '**MISMATCH**'}); ${v.keyed.replays} replays, ${v.keyed.replaysSameOrder} answered with the original order, ${v.keyed.replaysMarked} marked \`Idempotent-Replayed\``,
    '',
    `![req/s and RSS over time](${chartPath})`,
    '',
    `${h} Latency by route`,
    '',
    '| route | requests | p50 ms | p99 ms | max ms | statuses | 5xx | 503 |',
    '|---|---:|---:|---:|---:|---|---:|---:|',
  );
  for (const [route, x] of Object.entries(r.routes))
    o.push(
      `| ${route} | ${x.n.toLocaleString('en')} | ${f(x.p50, 2)} | ${f(x.p99, 2)} | ${f(x.max)} | ${Object.entries(
        x.status,
      )
        .map(([k, n]) => `${k}×${n}`)
        .join(' ')} | ${x.s5xx} | ${x.s503} |`,
    );
  return o.join('\n');
}

export function renderSoakReport(r) {
  const v = r.verify;
  const o = [
    '# Soak benchmark',
    '',
    r.config.seconds < 600
      ? `> **Short validation run (${r.config.seconds} s, SOAK_SECONDS)** — not the 10-minute reference soak.\n`
      : '',
    renderSoakBody(r, '##', '../charts/soak.svg'),
    '',
    '## Samples',
    '',
    `Every ${r.config.sampleSeconds} s: requests completed since the previous sample, RSS from \`/proc/<pid>/status\`, \`count(*)\` of \`pg_stat_activity\` for the bench database.`,
    '',
    '| t s | req/s | API RSS MiB | worker RSS MiB | PG connections |',
    '|---:|---:|---:|---:|---:|',
    ...r.samples.map(
      (x) =>
        `| ${x.t} | ${f(x.rps)} | ${f(x.apiRssMiB)} | ${(x.workerRssMiB ?? []).map((w) => f(w)).join(', ') || '—'} | ${x.pgConnections ?? 'n/a'} |`,
    ),
    '',
    '## Bulk jobs, each checked in SQL',
    '',
    "create_orders: each job writes its own customer id with amounts 1..n, so `count(*) = n` and `count(DISTINCT amount) = n` mean each item created exactly one order. update_orders_status: the job's n orders are seeded `pending` at version v just before it is submitted; afterwards all n are `paid` at exactly v + 1.",
    '',
    '| # | operation | body | items | status | succeeded | failed | s | applied (SQL) | exactly once |',
    '|---:|---|---|---:|---|---:|---:|---:|---:|---|',
    ...v.jobs.map(
      (j) =>
        `| ${j.k} | ${j.op} | ${j.format} | ${j.items} | ${j.status ?? 'rejected'} | ${j.succeeded ?? '—'} | ${j.failed ?? '—'} | ${f(j.secs)} | ${j.applied} | ${j.id ? (j.completed && j.exactlyOnce ? 'yes' : '**NO**') : '—'} |`,
    ),
    '',
    '## Method',
    '',
    `Loops run concurrently for the whole time: ${r.config.orderLoops} × POST /orders (half plain; of the rest, new Idempotency-Keys and replays of recent keys with the same body), ${r.config.listLoops} × GET /orders?limit=20 followed by 1–5 pages by cursor, ${r.config.getLoops} × GET /orders/{id} of orders created here, and a bulk loop submitting a job every ${r.config.bulkEveryMs / 1000} s (at most ${r.config.bulkInFlight} unfinished) of 1–${r.config.bulkMaxItems.toLocaleString('en')} items (log-uniform size), create_orders or update_orders_status, as JSON or NDJSON, each polled once a second until it ends. After the traffic stops, the run waits for every job, then checks in SQL. Loop errors: ${
      r.loopErrors.length
        ? r.loopErrors
            .slice(0, 10)
            .map((e) => `\`${e}\``)
            .join(', ')
        : 'none'
    }.`,
    '',
  ];
  return o.join('\n');
}
