// Per-route latencies and status classes, plus a running request count the sampler turns into req/s.
import { most, percentile } from '../_lib/stats.mjs';
import { round } from './env.mjs';

export function createRecorder() {
  const routes = new Map();
  let total = 0;

  function record(route, res) {
    total++;
    let r = routes.get(route);
    if (!r) routes.set(route, (r = { ms: [], status: {}, s5xx: 0, s503: 0, errors: 0 }));
    if (res.error) {
      r.errors++;
      return;
    }
    r.ms.push(res.ms);
    r.status[res.status] = (r.status[res.status] ?? 0) + 1;
    if (res.status === 503) r.s503++;
    else if (res.status >= 500) r.s5xx++;
  }

  /** Runs the request, records it under `route`, returns the response (or throws after recording). */
  async function timed(route, fn) {
    try {
      const res = await fn();
      record(route, res);
      return res;
    } catch (e) {
      record(route, { error: e });
      throw e;
    }
  }

  function summary() {
    const out = {};
    for (const [route, r] of [...routes].sort(([a], [b]) => a.localeCompare(b))) {
      out[route] = {
        n: r.ms.length + r.errors,
        p50: round(percentile(r.ms, 50), 2),
        p99: round(percentile(r.ms, 99), 2),
        max: round(r.ms.length ? most(r.ms) : NaN, 1),
        status: r.status,
        s5xx: r.s5xx,
        s503: r.s503,
        networkErrors: r.errors,
      };
    }
    return out;
  }

  return { record, timed, summary, total: () => total };
}
