// The two processes under test (the service's API from a private copy of the build, and the bare
// app), their database, and the CPU they and their Postgres backends use.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { waitForHttp } from '../_lib/http.mjs';
import { checkoutRef } from '../_lib/worktree.mjs';
import { freePort, startProcess, stopProcess } from '../_lib/proc.mjs';
import {
  API_KEY,
  DB_NAME,
  DB_URL,
  HERE,
  log,
  PG_ADMIN,
  REDIS_URL,
  require,
  ROOT,
  TENANT,
  WORK,
} from './env.mjs';

const { Client, Pool } = require('pg');

/**
 * A build of the API, copied aside so that a rebuild mid-run cannot break it: this checkout's
 * (built unless `skipBuild`), or an older commit's, built once in a worktree under .work/ and reused.
 */
export function prepareDist(label, ref, skipBuild) {
  let src = ROOT;
  if (ref) {
    src = checkoutRef(ROOT, join(WORK, `build-${ref}`), ref);
  }
  const main = join(src, 'dist/apps/api/src/main.js');
  if (ref ? !existsSync(main) : !skipBuild)
    execFileSync('npx', ['nest', 'build', 'api'], { cwd: src, stdio: 'inherit' });
  if (!existsSync(main)) throw new Error(`${main} missing: run npm run build`);
  const dist = join(WORK, `dist-${label}`);
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  cpSync(join(src, 'dist'), dist, { recursive: true });
  // The copy resolves packages from the build's own node_modules, not from this checkout's.
  if (ref) symlinkSync(join(src, 'node_modules'), join(dist, 'node_modules'));
  let commit = ref;
  if (!ref) {
    try {
      commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
        cwd: ROOT,
        encoding: 'utf8',
      }).trim();
      const dirty = execFileSync('git', ['status', '--porcelain', 'apps', 'libs'], {
        cwd: ROOT,
        encoding: 'utf8',
      }).trim();
      if (dirty) commit += '+changes';
    } catch {
      /* not a git checkout */
    }
  }
  return { label, dist, commit };
}

async function admin(sql) {
  const c = new Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh database with the build's migrations and `n` orders of the tenant (ids ord_seed_<i>). */
export async function freshDatabase(build, n) {
  await admin(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${DB_NAME}"`);
  await require(join(build.dist, 'libs/database/src/index.js')).runMigrations(DB_URL);
  const pool = new Pool({ connectionString: DB_URL, max: 3 });
  pool.on('error', () => undefined); // idle clients terminated by DROP … FORCE at cleanup
  await pool.query(
    `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, created_at, updated_at)
     SELECT 'ord_seed_' || i, $1, 'cus_' || (i % 100), i, 'EUR', 'pending',
            now() - make_interval(secs => $2 - i), now() - make_interval(secs => $2 - i)
       FROM generate_series(0, $2 - 1) AS i`,
    [TENANT, n],
  );
  await pool.query('ANALYZE orders');
  const { rows } = await pool.query('SHOW server_version');
  return { pool, postgres: rows[0].server_version };
}

export async function dropDatabase() {
  await admin(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
}

async function start(name, args, env) {
  const port = await freePort();
  const handle = startProcess(name, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    logFile: join(WORK, `${name}.log`),
  });
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, {
    timeoutMs: 90_000,
    isAlive: handle.isAlive,
  });
  return { name, handle, base: `http://127.0.0.1:${port}`, stop: () => stopProcess(handle) };
}

/**
 * The service's API from `build`; `nodeArgs` e.g. `--cpu-prof`; `env` overrides the settings below
 * (e.g. another DATABASE_URL, DATABASE_POOL_MODE, RUN_WORKERS).
 */
export function startOurs(build, prefix, nodeArgs = [], tag = build.label, env = {}) {
  return start(tag, [...nodeArgs, join(build.dist, 'apps/api/src/main.js')], {
    NODE_ENV: 'production',
    DATABASE_URL: DB_URL,
    REDIS_URL,
    API_KEYS: `${TENANT}:${API_KEY}`,
    CURSOR_SECRET: 'bench-cursor-secret',
    WEBHOOK_SECRET: 'whsec_YmVuY2gtYmVuY2gtYmVuY2gtYmVuY2g=',
    BULL_PREFIX: `${prefix}_${tag}`,
    RUN_WORKERS: 'false',
    // The completion line of every request is logged at info (`log`) in production: keep it, it is
    // per-request work.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'log',
    // Far above the load, so that the limiter stays in the path without ever answering 429.
    RATE_LIMIT_PER_MINUTE: '1000000000',
    ...env,
  }).then((s) => ({ ...s, appName: 'bulk-rest-%' }));
}

export function startBare(nodeArgs = []) {
  return start('bare', [...nodeArgs, join(HERE, 'bare-app.mjs')], {
    DATABASE_URL: DB_URL,
    BENCH_TENANT: TENANT,
  }).then((s) => ({ ...s, appName: 'bench-requests-bare' }));
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime+stime of a process in ms (Linux /proc), or null. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/**
 * CPU of the app process, of its Postgres backends (found by application_name) and of the processes
 * in `server.helperPids` (e.g. a connection pooler in between), when it has any.
 */
export async function cpuSnapshot(pool, server) {
  const { rows } = await pool.query(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2',
    [DB_NAME, server.appName],
  );
  const backends = new Map(rows.map((r) => [r.pid, cpuMs(r.pid)]).filter(([, v]) => v !== null));
  const helpers = server.helperPids?.reduce((a, pid) => a + (cpuMs(pid) ?? NaN), 0) ?? null;
  return { app: cpuMs(server.handle.pid), backends, helpers };
}

/** CPU ms per request between two snapshots (backends alive at both ends). */
export function cpuDelta(a, b, requests) {
  let pg = 0;
  for (const [pid, v] of b.backends) if (a.backends.has(pid)) pg += v - a.backends.get(pid);
  const per = (x) => (requests ? x / requests : null);
  return {
    appMs: a.app !== null && b.app !== null ? per(b.app - a.app) : null,
    pgMs: per(pg),
    helperMs: a.helpers !== null && b.helpers !== null ? per(b.helpers - a.helpers) : null,
  };
}

export { log };

/** Deletes the run's Redis keys (rate-limit counters, Bull) under its prefix. */
export async function cleanRedis(prefix) {
  const Redis = require('ioredis');
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
