// What a process has used so far, from Linux /proc (null where /proc does not have it).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of `pid` in ms: less disturbed by a busy machine than requests per second. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Resident memory of `pid` in MiB. */
export function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU so far of a server process (`server.handle.pid`), of its Postgres backends in database
 * `dbName` (found by `server.appName`, a LIKE pattern on application_name) and of the processes in
 * `server.helperPids` (e.g. a connection pooler in between), when it has any.
 */
export async function cpuSnapshot(pool, dbName, server) {
  const { rows } = await pool.query(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2',
    [dbName, server.appName],
  );
  const backends = new Map(rows.map((r) => [r.pid, cpuMs(r.pid)]).filter(([, v]) => v !== null));
  const helpers = server.helperPids?.reduce((a, pid) => a + (cpuMs(pid) ?? NaN), 0) ?? null;
  return { app: cpuMs(server.handle.pid), backends, helpers };
}

/** CPU ms per request between two snapshots (backends alive at both ends: `pgBackends` of them). */
export function cpuDelta(a, b, requests) {
  let pg = 0;
  let pgBackends = 0;
  for (const [pid, v] of b.backends) {
    if (!a.backends.has(pid)) continue;
    pg += v - a.backends.get(pid);
    pgBackends++;
  }
  const per = (x) => (requests ? x / requests : null);
  return {
    appMs: a.app !== null && b.app !== null ? per(b.app - a.app) : null,
    pgMs: per(pg),
    helperMs: a.helpers !== null && b.helpers !== null ? per(b.helpers - a.helpers) : null,
    pgBackends,
  };
}
