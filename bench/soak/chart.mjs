// A small dependency-free SVG line chart over time: req/s on the left axis, RSS (MiB) on the right.
// Also used by bench/report.mjs for the combined report's soak chart.
const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  const m = max / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/**
 * samples: [{ t, rps, apiRssMiB, workerRssMiB: [] }] as written by bench/soak/sampler.mjs.
 */
export function soakChart(samples, { title = 'Soak: requests/s and RSS over time' } = {}) {
  const W = 720;
  const H = 300;
  const L = 60;
  const R = 60;
  const T = 40;
  const B = 50;
  const pw = W - L - R;
  const ph = H - T - B;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const rpsMax = niceMax(Math.max(0, ...samples.map((s) => s.rps ?? 0)));
  const rssOf = (s) => [s.apiRssMiB, ...(s.workerRssMiB ?? [])];
  const rssMax = niceMax(Math.max(0, ...samples.flatMap((s) => rssOf(s).filter((x) => x != null))));
  const x = (t) => L + (t / tMax) * pw;
  const yL = (v) => T + ph - (v / rpsMax) * ph;
  const yR = (v) => T + ph - (v / rssMax) * ph;
  const path = (pts) =>
    pts
      .filter(([, v]) => v != null && Number.isFinite(v))
      .map(([t, v], i) => `${i ? 'L' : 'M'}${t.toFixed(1)},${v.toFixed(1)}`)
      .join(' ');
  const series = [
    {
      name: 'requests/s (left)',
      color: '#2563eb',
      d: path(samples.map((s) => [x(s.t), s.rps == null ? null : yL(s.rps)])),
    },
    {
      name: 'API RSS MiB (right)',
      color: '#f97316',
      d: path(samples.map((s) => [x(s.t), s.apiRssMiB == null ? null : yR(s.apiRssMiB)])),
    },
  ];
  const nWorkers = Math.max(0, ...samples.map((s) => s.workerRssMiB?.length ?? 0));
  for (let w = 0; w < nWorkers; w++)
    series.push({
      name: `worker ${w} RSS MiB (right)`,
      color: ['#16a34a', '#9333ea', '#6b7280'][w % 3],
      d: path(
        samples.map((s) => [x(s.t), s.workerRssMiB?.[w] == null ? null : yR(s.workerRssMiB[w])]),
      ),
    });
  const o = [];
  o.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  o.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  o.push(`<text x="${L}" y="20" font-size="14" font-weight="bold">${xml(title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const y = T + ph - (i / 5) * ph;
    o.push(`<line x1="${L}" x2="${L + pw}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
    o.push(
      `<text x="${L - 6}" y="${y + 4}" text-anchor="end" fill="#2563eb">${+((rpsMax * i) / 5).toFixed(1)}</text>`,
    );
    o.push(
      `<text x="${L + pw + 6}" y="${y + 4}" fill="#f97316">${+((rssMax * i) / 5).toFixed(1)}</text>`,
    );
  }
  for (let i = 0; i <= 6; i++) {
    const t = (tMax * i) / 6;
    o.push(`<text x="${x(t)}" y="${T + ph + 16}" text-anchor="middle">${Math.round(t)}</text>`);
  }
  o.push(
    `<text x="${L + pw / 2}" y="${T + ph + 32}" text-anchor="middle">seconds since the traffic started</text>`,
  );
  o.push(
    `<line x1="${L}" x2="${L}" y1="${T}" y2="${T + ph}" stroke="#111"/><line x1="${L}" x2="${L + pw}" y1="${T + ph}" y2="${T + ph}" stroke="#111"/>`,
  );
  for (const s of series)
    o.push(`<path d="${s.d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`);
  series.forEach((s, i) => {
    const lx = L + i * 170;
    o.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${H - 8}" y2="${H - 8}" stroke="${s.color}" stroke-width="3"/>`,
    );
    o.push(`<text x="${lx + 22}" y="${H - 4}">${xml(s.name)}</text>`);
  });
  o.push('</svg>');
  return o.join('\n');
}
