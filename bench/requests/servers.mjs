// The two processes under test (the service's API from a private copy of the build, and the bare
// app), their database, and the CPU they and their Postgres backends use.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dropDatabase as drop, freshDatabase as fresh } from '../_lib/pg.mjs';
import { cpuSnapshot as snapshot } from '../_lib/procfs.mjs';
import { apiMain, serviceEnv, startServer } from '../_lib/service.mjs';
import { cleanRedis } from '../_lib/redis.mjs';
import { saveResults } from '../_lib/report.mjs';
import { runBench } from '../_lib/run-bench.mjs';
import { checkoutRef } from '../_lib/worktree.mjs';
import { API_KEY, DB_NAME, DB_URL, HERE, log, require, ROOT, TENANT, WORK } from './env.mjs';

export { cpuDelta } from '../_lib/procfs.mjs';

const { Pool } = require('pg');

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

/** A fresh database with the build's migrations and `n` orders of the tenant (ids ord_seed_<i>). */
export async function freshDatabase(build, n) {
  const postgres = await fresh(DB_NAME);
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
  return { pool, postgres };
}

export const dropDatabase = () => drop(DB_NAME);

/**
 * Runs a bench on these servers (this one, or bench/pooler): at the end, also after a failure, the
 * database is dropped and the Redis keys under `prefix` deleted.
 */
export const runServersBench = (main, { prefix, writeReport }) =>
  runBench(main, {
    reportOnly: writeReport,
    cleanup: async () => {
      await dropDatabase().catch(() => undefined);
      await cleanRedis(prefix).catch(() => undefined);
    },
  });

/** The end of a run: results.json in `dir`, the seed pool closed, REPORT.md. */
export async function finishRun(dir, result, pool, writeReport) {
  result.finishedAt = new Date().toISOString();
  saveResults(dir, result);
  await pool.end();
  writeReport();
  log(`wrote ${relative(ROOT, dir)}/results.json and REPORT.md`);
}

const start = (name, args, env) => startServer({ name, args, env, logDir: WORK });

/**
 * The service's API from `build`; `nodeArgs` e.g. `--cpu-prof`; `env` overrides the settings below
 * (e.g. another DATABASE_URL, DATABASE_POOL_MODE, RUN_WORKERS).
 */
export function startOurs(build, prefix, nodeArgs = [], tag = build.label, env = {}) {
  return start(
    tag,
    [...nodeArgs, apiMain(build.dist)],
    serviceEnv({
      databaseUrl: DB_URL,
      prefix: `${prefix}_${tag}`,
      apiKeys: `${TENANT}:${API_KEY}`,
      // The completion line of every request is logged at info (`log`) in production: keep it, it
      // is per-request work.
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'log',
      // Far above the load, so that the limiter stays in the path without ever answering 429.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      ...env,
    }),
  ).then((s) => Object.assign(s, { appName: 'bulk-rest-%' }));
}

export function startBare(nodeArgs = []) {
  return start('bare', [...nodeArgs, join(HERE, 'bare-app.mjs')], {
    DATABASE_URL: DB_URL,
    BENCH_TENANT: TENANT,
  }).then((s) => Object.assign(s, { appName: 'bench-requests-bare' }));
}

/** CPU of a server (see bench/_lib/procfs.mjs) and of its Postgres backends in the bench's database. */
export const cpuSnapshot = (pool, server) => snapshot(pool, DB_NAME, server);
