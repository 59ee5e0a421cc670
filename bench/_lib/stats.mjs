// Small, dependency-free statistics for latency samples (milliseconds).

export function sorted(xs) {
  return [...xs].sort((a, b) => a - b);
}

/** Median (mean of the two middle values for an even count). */
export function median(xs) {
  if (!xs.length) return NaN;
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(xs, p) {
  if (!xs.length) return NaN;
  const s = sorted(xs);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export function mean(xs) {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

export function summarize(xs) {
  return {
    n: xs.length,
    median: median(xs),
    p95: percentile(xs, 95),
    min: xs.length ? least(xs) : NaN,
    max: xs.length ? most(xs) : NaN,
    mean: mean(xs),
  };
}

/** `x` rounded to `digits` decimals; null for a missing or non-finite value (JSON-friendly). */
export function roundTo(x, digits) {
  return x === null || x === undefined || !Number.isFinite(x)
    ? null
    : Math.round(x * 10 ** digits) / 10 ** digits;
}

/** Fixed-precision number for tables: 3 significant-ish digits, no trailing noise. */
export function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a';
  if (digits !== undefined) return x.toFixed(digits);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Math.max/min over any number of values (spreading 100k+ samples overflows the call stack). */
export function most(xs) {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  return m;
}

export function least(xs) {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}
