// One build of the service against a database of its own: start it (API with workers, or API plus a
// separate worker process), talk to it over HTTP, read its database.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { startProcess, stopProcess } from '../_lib/proc.mjs';
import { dbUrl } from '../_lib/pg.mjs';
import { cleanRedis } from '../_lib/redis.mjs';
import { apiMain, serviceEnv, startServer, workerMain } from '../_lib/service.mjs';
import { checkoutRef } from '../_lib/worktree.mjs';
import { AUTH, CHUNK, log, ROOT, sleep, TENANT, WORK, SERVICE_NODE_ARGS } from './env.mjs';

export { connect, freshDatabase } from '../_lib/pg.mjs';

/** The current checkout's build, or an older commit built in a worktree under .work/. */
export function prepareBuild(label, ref, skipBuild) {
  if (!ref) {
    if (!skipBuild) execFileSync('npx', ['nest', 'build', 'api'], { cwd: ROOT, stdio: 'inherit' });
    if (!skipBuild)
      execFileSync('npx', ['nest', 'build', 'worker'], { cwd: ROOT, stdio: 'inherit' });
    return { label, dist: join(ROOT, 'dist') };
  }
  // Named by commit: a dir of another ref is never reused for this one.
  const dir = join(WORK, `build-${ref}`);
  checkoutRef(ROOT, dir, ref);
  if (!skipBuild || !existsSync(join(dir, 'dist/apps/worker/src/main.js'))) {
    execFileSync('npx', ['nest', 'build', 'api'], { cwd: dir, stdio: 'inherit' });
    execFileSync('npx', ['nest', 'build', 'worker'], { cwd: dir, stdio: 'inherit' });
  }
  return { label, dist: join(dir, 'dist') };
}

/**
 * A service: the API (workers inside it, or `separateWorkers` worker processes), its own Bull prefix.
 * Stop it with `svc.stop()`, also after a failure: that deletes its Redis keys too.
 */
export async function startService(
  build,
  dbName,
  { separateWorkers = 0, tag = 'svc', workerArgs = [], apiArgs = [], env: extraEnv = {} } = {},
) {
  const prefix = `benchbulk_${build.label}_${tag}_${Date.now()}`;
  const api = await startServer({
    name: `api-${build.label}-${tag}`,
    args: [...SERVICE_NODE_ARGS, ...apiArgs, apiMain(build.dist)],
    env: serviceEnv({
      databaseUrl: dbUrl(dbName),
      prefix,
      apiKeys: `${TENANT}:bench-key,fresh:fresh-key`,
      BULK_CHUNK_SIZE: String(CHUNK),
      // The GET latency phases send thousands of requests a second: not what this bench limits.
      RATE_LIMIT_PER_MINUTE: '0',
      RUN_WORKERS: separateWorkers ? 'false' : 'true',
      ...extraEnv,
    }),
    logDir: WORK,
  });
  const { base } = api;
  const workers = [];
  for (let i = 0; i < separateWorkers; i++) {
    const w = startProcess(
      `worker-${build.label}-${tag}-${i}`,
      [...SERVICE_NODE_ARGS, ...workerArgs, workerMain(build.dist)],
      {
        env: api.env, // the API's, PORT included
        cwd: ROOT,
        logFile: join(WORK, `worker-${build.label}-${tag}-${i}.log`),
      },
    );
    workers.push(w);
  }
  if (workers.length) await sleep(3000); // let the workers connect before work arrives
  const svc = {
    build,
    base,
    api: api.handle,
    workers,
    prefix,
    /** Stops the processes and deletes the service's Redis keys (its prefix is its own). */
    stop: async () => {
      for (const w of workers) await stopProcess(w);
      await api.stop();
      await cleanRedis(prefix).catch((e) => log(`redis cleanup of ${prefix}: ${e.message}`));
    },
  };
  log(
    `started ${build.label} (${separateWorkers ? `API + ${separateWorkers} worker process` : 'workers in the API'}) on ${base}`,
  );
  return svc;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** One request, timed from before it is written to the last byte of the answer. */
export function request(svc, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, svc.base);
    const t0 = performance.now();
    const req = http.request(
      url,
      { method, agent, headers: { authorization: AUTH, accept: 'application/json', ...headers } },
      (res) => {
        const parts = [];
        res.on('data', (c) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode,
            headers: res.headers,
            text,
            json,
            ms: performance.now() - t0,
          });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(900_000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
    req.on('error', reject);
    if (body instanceof Readable) body.pipe(req);
    else req.end(body);
  });
}

export function postJson(svc, path, obj) {
  return request(svc, 'POST', path, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(obj),
  });
}

/** NDJSON lines generated as they are sent (never the whole body in memory). */
export function ndjsonBody(n, line) {
  let i = 0;
  return new Readable({
    read() {
      if (i >= n) return this.push(null);
      const end = Math.min(n, i + 2000);
      let s = '';
      for (; i < end; i++) s += `${JSON.stringify(line(i))}\n`;
      this.push(s);
    },
  });
}

export function postNdjson(svc, operation, n, line) {
  return request(svc, 'POST', `/bulk-jobs?operation=${operation}`, {
    headers: { 'content-type': 'application/x-ndjson' },
    body: ndjsonBody(n, line),
  });
}

/**
 * One update_orders_status job of `n` listed items (`<idPrefix><i>` → `to`), JSON or NDJSON, from
 * POST to `completed`; every item is then checked in SQL. `what` names the run in errors.
 */
export async function runStatusJob(svc, pg, { n, idPrefix, to, format, what = format }) {
  const item = (i) => ({ id: `${idPrefix}${i}`, status: to });
  const t0 = performance.now();
  const res =
    format === 'json'
      ? await postJson(svc, '/bulk-jobs', {
          operation: 'update_orders_status',
          items: Array.from({ length: n }, (_, i) => item(i)),
        })
      : await postNdjson(svc, 'update_orders_status', n, item);
  const accepted = expectStatus(res, 202, `POST ${what}`);
  const acceptMs = performance.now() - t0;
  const { job, at } = await waitJob(svc, accepted.id);
  if (job.status !== 'completed' || job.succeeded !== n)
    throw new Error(`${what} job ended ${job.status} with ${job.succeeded}/${n} succeeded`);
  const { rows } = await pg.query(
    `SELECT count(*) FILTER (WHERE status = $2)::int AS moved FROM orders WHERE id LIKE $1 || '%'`,
    [idPrefix, to],
  );
  if (rows[0].moved !== n)
    throw new Error(`${what}: ${rows[0].moved} of ${n} orders moved to ${to}`);
  return { job, secs: (at - t0) / 1000, acceptMs };
}

export function expectStatus(res, status, what) {
  if (res.status !== status)
    throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 400)}`);
  return res.json;
}

const TERMINAL = ['completed', 'failed', 'cancelled'];

/** Long-polls the job until it ends; returns it and when it ended (performance.now()). */
export async function waitJob(svc, id, deadlineMs = 900_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const r = await request(svc, 'GET', `/bulk-jobs/${id}`, { headers: { prefer: 'wait=5' } });
    const job = expectStatus(r, 200, `GET job ${id}`);
    if (TERMINAL.includes(job.status)) return { job, at: performance.now() };
    if (Date.now() > until) throw new Error(`job ${id} still ${job.status}`);
  }
}

/** `n` orders of the tenant with ids `${prefix}${i}`, all in one status. */
export async function seedOrders(pg, prefix, n, status = 'pending', table = 'orders') {
  await pg.query(
    `INSERT INTO ${table} (id, tenant_id, customer_id, amount, currency, status)
     SELECT $1 || i, $2, 'cus_' || (i % 1000), i, 'EUR', $4 FROM generate_series(0, $3 - 1) AS i`,
    [prefix, TENANT, n, status],
  );
  await pg.query(`ANALYZE ${table}`);
}
