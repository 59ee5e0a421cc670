// Every few seconds: RSS of the API (and worker) processes, the bench database's Postgres connections,
// and the requests completed since the last sample.
import { rssMiB } from '../_lib/procfs.mjs';
import { round } from './env.mjs';

export function startSampler({ svc, admin, dbName, recorder, everyMs }) {
  const samples = [];
  const t0 = Date.now();
  let lastTotal = recorder.total();
  let lastAt = t0;
  let busy = false;

  async function sample() {
    if (busy) return; // a slow pg_stat_activity read must not pile up samples
    busy = true;
    try {
      const now = Date.now();
      const total = recorder.total();
      let pgConnections = null;
      try {
        const r = await admin.query(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [dbName],
        );
        pgConnections = r.rows[0].n;
      } catch {
        /* recorded as null: the sample still carries RSS */
      }
      samples.push({
        t: round((now - t0) / 1000, 1),
        rps: round(((total - lastTotal) * 1000) / Math.max(1, now - lastAt), 1),
        apiRssMiB: round(rssMiB(svc.api.pid), 1),
        workerRssMiB: svc.workers.map((w) => round(rssMiB(w.pid), 1)),
        pgConnections,
      });
      lastTotal = total;
      lastAt = now;
    } finally {
      busy = false;
    }
  }

  const timer = setInterval(() => void sample(), everyMs);
  void sample();
  return {
    samples,
    stop: async () => {
      clearInterval(timer);
      await sample();
      return samples;
    },
  };
}
