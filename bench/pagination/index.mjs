// Pagination benchmark: page 1 vs a page at depth 990,000 of GET /orders (1,000,000 orders of one
// tenant), through HTTP, for
//   ours      the service's keyset cursors (the real app, apps/api/src/main.js of a fresh build)
//   offset    a hand-written OFFSET endpoint
//   np-cursor nestjs-paginate in its cursor mode
//   np-page   nestjs-paginate in its default mode (page numbers)
//   tcp       typeorm-cursor-pagination
// plus a correctness walk (does a cursor skip or repeat rows when created_at has microseconds?).
// Writes bench/pagination/REPORT.md and bench/pagination/results.json. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { benchDir, ROOT } from '../_lib/env.mjs';
import { createClient } from '../_lib/http.mjs';
import { machineInfo } from '../_lib/machine.mjs';
import { dbUrl as urlOf, dropDatabase as drop, freshDatabase, withClient } from '../_lib/pg.mjs';
import { killAllSync, stopAll } from '../_lib/proc.mjs';
import { cleanRedis as deleteKeys } from '../_lib/redis.mjs';
import { apiMain, serviceEnv, startServer } from '../_lib/service.mjs';
import { fmt, median, percentile, summarize } from '../_lib/stats.mjs';

const { HERE, WORK, require } = benchDir(import.meta.url);
const SNAP = join(WORK, 'dist');

const int = (v, d) => (v === undefined || v === '' ? d : Number.parseInt(v, 10));
const env = process.env;
const CFG = {
  adminUrl: env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  dbName: env.BENCH_DB ?? 'bench_pagination',
  tenant: 'bench',
  otherTenant: 'globex',
  rows: int(env.BENCH_ROWS, 1_000_000),
  otherRows: int(env.BENCH_OTHER_ROWS, 50_000),
  depth: int(env.BENCH_DEPTH, 990_000),
  limit: 20,
  rounds: int(env.BENCH_ROUNDS, 3),
  n: int(env.BENCH_N, 30),
  warmup: int(env.BENCH_WARMUP, 3),
  fastMs: 10,
  nFast: int(env.BENCH_N_FAST, 200),
  warmupFast: 20,
  walkPages: int(env.BENCH_WALK_PAGES, 50),
  walkPagesSlow: int(env.BENCH_WALK_PAGES_SLOW, 10),
  skipBuild: env.BENCH_SKIP_BUILD === '1',
  keepDb: env.BENCH_KEEP_DB === '1',
};
if (CFG.depth % CFG.limit !== 0 || CFG.depth + CFG.limit > CFG.rows) {
  throw new Error(`BENCH_DEPTH must be a multiple of ${CFG.limit} and leave a full page within BENCH_ROWS`);
}
const RUN_ID = randomBytes(4).toString('hex');
const API_KEY = 'bench-key';
const CURSOR_SECRET = `bench-cursor-secret-${randomBytes(16).toString('hex')}`;
const BULL_PREFIX = `bench_${RUN_ID}`;
const dbUrl = urlOf(CFG.dbName, CFG.adminUrl);

const T0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - T0) / 1000).toFixed(1).padStart(6)}s]`, ...a);

// ------------------------------------------------------------------------------------------ setup

/** Files of the build this bench loads; a copy missing one of them is incomplete. */
const REQUIRED = [
  'apps/api/src/main.js',
  'libs/database/src/index.js',
  'libs/pagination/src/index.js',
  'libs/pagination/src/paginated.decorator.js',
  'libs/pagination/src/pagination.service.js',
  'libs/orders/src/orders.controller.js',
  'libs/orders/src/orders.service.js',
  'libs/orders/src/entities/order.entity.js',
  'libs/orders/src/dto/order.dto.js',
];
const complete = (dir) => REQUIRED.every((f) => existsSync(join(dir, f)));

/**
 * Builds the service with the project's own `nest build api` (same nest-cli.json, plugins and
 * tsconfig.build.json) into a private outDir, bench/pagination/.work/dist, through
 * bench/pagination/tsconfig.build.json: other people building into dist/ at the same time
 * (deleteOutDir) can neither break this build nor be broken by it.
 * BENCH_SKIP_BUILD=1, or a build that emitted nothing usable, falls back to a copy of dist/.
 */
async function buildAndSnapshot() {
  rmSync(SNAP, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  for (const f of readdirSync(WORK)) if (f.endsWith('.log')) rmSync(join(WORK, f)); // the last run's server logs
  if (!CFG.skipBuild) {
    log('nest build api --path bench/pagination/tsconfig.build.json (private outDir)');
    const r = spawnSync(join(ROOT, 'node_modules/.bin/nest'), ['build', 'api', '--path', relative(ROOT, join(HERE, 'tsconfig.build.json'))], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (r.status === 0 && complete(SNAP)) return 'ok (`nest build api` into a private outDir, bench/pagination/.work/dist)';
    if (complete(SNAP)) {
      log(`WARNING: nest build exited ${r.status}; using the JavaScript it emitted`);
      return `exited ${r.status} (type errors, see the console output); the JavaScript it emitted was used`;
    }
    log(`WARNING: nest build exited ${r.status} without a usable output; falling back to a copy of dist/`);
  }
  // A copy of dist/, checked for completeness: someone else's `nest build` may be rewriting it.
  for (let attempt = 1; attempt <= 5; attempt++) {
    rmSync(SNAP, { recursive: true, force: true });
    if (existsSync(join(ROOT, 'dist'))) cpSync(join(ROOT, 'dist'), SNAP, { recursive: true });
    if (complete(SNAP)) return CFG.skipBuild ? 'skipped (BENCH_SKIP_BUILD=1): a copy of the existing dist/ was used' : 'failed; a copy of the existing dist/ was used';
    log(`dist/ incomplete or missing (attempt ${attempt}); retrying in 5 s`);
    await new Promise((r) => setTimeout(r, 5000));
  }
  throw new Error('no complete build: dist/ is missing or incomplete; run npm run build');
}

const createDatabase = () => freshDatabase(CFG.dbName, CFG.adminUrl);
const dropDatabase = () => drop(CFG.dbName, CFG.adminUrl);

/**
 * Orders arrive in bursts of 3 within ~0.3 ms (distinct microseconds, mostly the same millisecond),
 * bursts ~31 s apart with a microsecond jitter; every 97th row repeats the previous row's
 * created_at exactly (a tie that only the id breaks). ~4 months of history.
 */
function insertSql(tenant, count, seedSeconds) {
  return `
    INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version, created_at, updated_at)
    SELECT 'ord_' || substr(md5('${tenant}:' || g), 1, 20),
           '${tenant}',
           'cus_' || (g % 5000),
           (g::bigint * 7919) % 100000,
           'EUR',
           (ARRAY['pending','paid','cancelled','shipped','delivered'])[1 + g % 5],
           1, t.ts, t.ts
      FROM generate_series(1, ${count}) AS g
     CROSS JOIN LATERAL (
       SELECT timestamptz '2025-01-01 00:00:00+00'
              + ${seedSeconds} * interval '1 second'
              + ((g - 1) / 3) * interval '31 seconds'
              + ((((g - 1) / 3)::bigint * 2654435761) % 29000000) * interval '1 microsecond'
              + (((g - 1) % 3) - CASE WHEN g % 97 = 0 AND (g - 1) % 3 > 0 THEN 1 ELSE 0 END) * interval '137 microseconds'
              AS ts
     ) AS t`;
}

async function loadData() {
  const { runMigrations } = require(join(SNAP, 'libs/database/src/index.js'));
  const applied = await runMigrations(dbUrl);
  log(`migrations applied: ${applied.join(', ') || '(none)'}`);
  return withClient(dbUrl, async (c) => {
    await c.query('SET synchronous_commit = off');
    let t = Date.now();
    await c.query(insertSql(CFG.tenant, CFG.rows, 0));
    const insertMs = Date.now() - t;
    log(`inserted ${CFG.rows} rows of tenant ${CFG.tenant} in ${(insertMs / 1000).toFixed(1)}s`);
    await c.query(insertSql(CFG.otherTenant, CFG.otherRows, 7));
    t = Date.now();
    await c.query('ANALYZE orders');
    const analyzeMs = Date.now() - t;
    const { rows: [s] } = await c.query(
      `SELECT count(*)::int AS rows,
              count(DISTINCT created_at)::int AS distinct_created_at,
              count(*) FILTER (WHERE extract(microseconds FROM created_at)::bigint % 1000 <> 0)::int AS sub_ms_rows,
              min(created_at)::text AS oldest, max(created_at)::text AS newest
         FROM orders WHERE tenant_id = $1`,
      [CFG.tenant],
    );
    const { rows: [ties] } = await c.query(
      `SELECT count(*)::int AS groups, coalesce(sum(c), 0)::int AS rows
         FROM (SELECT count(*) c FROM orders WHERE tenant_id = $1 GROUP BY created_at HAVING count(*) > 1) x`,
      [CFG.tenant],
    );
    const { rows: [sameMs] } = await c.query(
      `SELECT coalesce(sum(c), 0)::int AS rows
         FROM (SELECT count(*) c FROM orders WHERE tenant_id = $1
               GROUP BY date_trunc('milliseconds', created_at) HAVING count(*) > 1) x`,
      [CFG.tenant],
    );
    const { rows: [size] } = await c.query(
      `SELECT pg_size_pretty(pg_table_size('orders')) AS table, pg_size_pretty(pg_indexes_size('orders')) AS indexes`,
    );
    return {
      migrations: applied,
      insertSeconds: +(insertMs / 1000).toFixed(1),
      analyzeSeconds: +(analyzeMs / 1000).toFixed(1),
      tenantRows: s.rows,
      otherTenantRows: CFG.otherRows,
      distinctCreatedAt: s.distinct_created_at,
      rowsWithSubMillisecondPart: s.sub_ms_rows,
      tieGroups: ties.groups,
      rowsInTies: ties.rows,
      rowsSharingAMillisecond: sameMs.rows,
      oldest: s.oldest,
      newest: s.newest,
      tableSize: size.table,
      indexesSize: size.indexes,
    };
  });
}

/** Rows in the endpoint's order, straight from SQL: the reference every implementation is checked against. */
async function groundTruth() {
  return withClient(dbUrl, async (c) => {
    const q = (dir, offset, limit) =>
      c.query(
        `SELECT id, created_at, created_at::text AS ts FROM orders WHERE tenant_id = $1
          ORDER BY created_at ${dir}, id ${dir} OFFSET $2 LIMIT $3`,
        [CFG.tenant, offset, limit],
      ).then((r) => r.rows);
    const walkRows = (CFG.walkPages + 5) * CFG.limit;
    const deep = await q('DESC', CFG.depth - 1, CFG.limit * 2 + 1);
    return {
      page1: await q('DESC', 0, CFG.limit),
      boundary: deep[0], // row number `depth`: the last row before the deep page
      deepPage: deep.slice(1, CFG.limit + 1), // rows depth+1 … depth+limit
      deepNextPage: deep.slice(CFG.limit + 1),
      walkDesc: await q('DESC', 0, walkRows),
      walkAsc: await q('ASC', 0, walkRows),
    };
  });
}

// ----------------------------------------------------------------------------------- processes

/** The two server processes (bench/_lib/service.mjs: each restarts after a death, which it records). */
const servers = {};

async function startServers() {
  // Only what the processes need from this shell: a run does not depend on who starts it.
  const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME ?? '/root' };
  const start = (name, args, readyPath, env) =>
    startServer({ name, args, readyPath, logDir: WORK, inherit: false, env: { ...baseEnv, ...env } });
  [servers.api, servers.competitors] = await Promise.all([
    start(
      'api',
      [apiMain(SNAP)],
      '/health/live',
      serviceEnv({
        databaseUrl: dbUrl,
        prefix: BULL_PREFIX,
        apiKeys: `${CFG.tenant}:${API_KEY}`,
        CURSOR_SECRET,
        RATE_LIMIT_PER_MINUTE: '0',
        // As measured so far: no NODE_ENV, i.e. development.
        NODE_ENV: 'development',
        REDIS_URL: CFG.redisUrl,
      }),
    ),
    start('competitors', [join(HERE, 'competitors.mjs')], '/_bench/ready', {
      DATABASE_URL: dbUrl,
      BENCH_DIST: SNAP,
      BENCH_TENANT: CFG.tenant,
    }),
  ]);
  log(`api pid ${servers.api.handle.pid} on ${servers.api.base}, competitors pid ${servers.competitors.handle.pid} on ${servers.competitors.base}`);
}

/** Restarts any server that died (a crash, or a kill from outside this bench); true if one was. */
async function restartDead(during) {
  let restarted = false;
  for (const server of Object.values(servers)) {
    if (!(await server.restartIfDead(during))) continue;
    const death = server.deaths.at(-1);
    log(`${server.name} (pid ${death.pid}) died during ${during} (${JSON.stringify(death.exit)}); restarted it`);
    restarted = true;
  }
  return restarted;
}

/** Runs one unit of work; if a server died under it, restarts the server and repeats the unit (3 times at most). */
async function resilient(during, fn) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      await new Promise((r) => setTimeout(r, 300)); // let the exit event arrive
      if (attempt < 3 && (await restartDead(during))) continue;
      throw e;
    }
  }
}

async function cleanRedis() {
  try {
    return await deleteKeys(`${BULL_PREFIX}:`, CFG.redisUrl);
  } catch (e) {
    log(`redis cleanup skipped: ${e.message}`);
    return null;
  }
}

// ---------------------------------------------------------------------------------- cursors

/** The binding the service's PaginationInterceptor computes for GET /orders without filters. */
function oursBinding() {
  const { bindingHash, PAGINATED_KEY } = require(join(SNAP, 'libs/pagination/src/index.js'));
  const { OrdersController } = require(join(SNAP, 'libs/orders/src/orders.controller.js'));
  const options = Reflect.getMetadata(PAGINATED_KEY, OrdersController.prototype.list);
  const parts = {
    tenant: CFG.tenant,
    route: 'GET /orders',
    key: options.key.map((k) => k.column).join(','),
    dir: options.direction,
  };
  for (const p of options.params ?? []) parts[`param:${p}`] = null;
  for (const f of options.filters ?? []) parts[`filter:${f}`] = null; // queryValue(undefined)
  return { binding: bindingHash(parts), parts };
}

function mintOurs(row, binding) {
  const { CursorCodec } = require(join(SNAP, 'libs/pagination/src/index.js'));
  return new CursorCodec(CURSOR_SECRET).encode([row.ts, row.id], binding);
}

function decodeOursBody(cursor) {
  return JSON.parse(Buffer.from(cursor.split('.')[0], 'base64url').toString('utf8'));
}

/** nestjs-paginate's cursor for a DESC date sort: 'V' + epoch milliseconds of the JS Date, padded to 15. */
function mintNp(row) {
  return 'V' + String(row.created_at.getTime()).padStart(15, '0');
}

// ------------------------------------------------------------------------------ implementations

function implementations(clients) {
  const { api, cmp } = clients;
  const L = CFG.limit;
  return [
    {
      id: 'ours',
      name: 'this service (libs/pagination), real API',
      mode: 'keyset cursor on (created_at, id), signed opaque cursor',
      client: api,
      page1: () => `/orders?limit=${L}`,
      deep: (c) => `/orders?limit=${L}&cursor=${encodeURIComponent(c.ours)}`,
      ids: (j) => j?.data?.map((o) => o.id),
    },
    {
      id: 'offset',
      name: 'OFFSET (hand-written, Nest + TypeORM)',
      mode: `ORDER BY created_at DESC, id DESC LIMIT ${L + 1} OFFSET n`,
      client: cmp,
      page1: () => `/offset/orders?limit=${L}&offset=0`,
      deep: () => `/offset/orders?limit=${L}&offset=${CFG.depth}`,
      ids: (j) => j?.data?.map((o) => o.id),
    },
    {
      id: 'np-cursor',
      name: 'nestjs-paginate 15.0.1, cursor mode',
      mode: 'PaginationType.CURSOR, sortBy createdAt:DESC (the text id cannot be a cursor column)',
      client: cmp,
      page1: () => `/np-cursor/orders?limit=${L}`,
      deep: (c) => `/np-cursor/orders?limit=${L}&cursor=${encodeURIComponent(c.np)}`,
      ids: (j) => j?.data?.map((o) => o.id),
    },
    {
      id: 'np-page',
      name: 'nestjs-paginate 15.0.1, default mode',
      mode: `page numbers (take/skip → LIMIT/OFFSET) + COUNT(*); deep = page ${CFG.depth / L + 1}`,
      client: cmp,
      page1: () => `/np-page/orders?limit=${L}&page=1`,
      deep: () => `/np-page/orders?limit=${L}&page=${CFG.depth / L + 1}`,
      ids: (j) => j?.data?.map((o) => o.id),
    },
    {
      id: 'tcp',
      name: 'typeorm-cursor-pagination 0.10.1',
      mode: 'afterCursor on paginationKeys (createdAt, id), DESC',
      client: cmp,
      page1: () => `/tcp/orders?limit=${L}`,
      deep: (c) => `/tcp/orders?limit=${L}&cursor=${encodeURIComponent(c.tcp)}`,
      ids: (j) => j?.data?.map((o) => o.id),
    },
  ];
}

function compareIds(got, expected) {
  const exp = new Set(expected);
  const overlap = (got ?? []).filter((id) => exp.has(id)).length;
  return {
    exact: JSON.stringify(got) === JSON.stringify(expected),
    overlap,
    expected: expected.length,
    got: got?.length ?? 0,
  };
}

// ------------------------------------------------------------------------------ verification

async function mintAndVerify(impls, clients, truth) {
  const { binding, parts } = oursBinding();
  const cursors = {
    ours: mintOurs(truth.boundary, binding),
    np: mintNp(truth.boundary),
    tcp: (await clients.cmp.getJson(`/tcp/mint?id=${encodeURIComponent(truth.boundary.id)}`)).json.cursor,
  };
  const checks = { cursors: {}, impls: {} };

  // Our binding is the interceptor's: the cursor the API issues after page 1 carries the same hash
  // and the key of row 20 as the database prints it.
  const p1 = await clients.api.getJson(`/orders?limit=${CFG.limit}`);
  const issued = decodeOursBody(p1.json.next_cursor);
  const row20 = truth.page1[CFG.limit - 1];
  const sameTs = await withClient(dbUrl, (c) =>
    c.query('SELECT $1::timestamptz = $2::timestamptz AS eq', [issued.k[0], row20.ts]).then((r) => r.rows[0].eq),
  );
  checks.cursors.ours = {
    bindingParts: parts,
    apiIssuedBindingMatches: issued.b === binding,
    apiIssuedKeyMatchesRow20: issued.k[1] === row20.id && sameTs,
    apiIssuedKey: issued.k,
  };
  // The library-format cursors we mint equal what each library emits itself for row 20.
  const np1 = await clients.cmp.getJson(`/np-cursor/orders?limit=${CFG.limit}`);
  const npNext = np1.json?.links?.next ? new URL(np1.json.links.next, 'http://x').searchParams.get('cursor') : null;
  checks.cursors.np = { libraryCursorAfterRow20: npNext, mintedForRow20: mintNp(row20), same: npNext === mintNp(row20) };
  const tcp1 = await clients.cmp.getJson(`/tcp/orders?limit=${CFG.limit}`);
  const tcpMint20 = (await clients.cmp.getJson(`/tcp/mint?id=${encodeURIComponent(row20.id)}`)).json.cursor;
  checks.cursors.tcp = {
    libraryCursorAfterRow20: tcp1.json.next_cursor,
    decoded: Buffer.from(tcp1.json.next_cursor, 'base64').toString(),
    row20CreatedAt: row20.ts,
    mintEqualsLibrary: tcpMint20 === tcp1.json.next_cursor,
  };

  const expectedPage1 = truth.page1.map((r) => r.id);
  const expectedDeep = truth.deepPage.map((r) => r.id);
  for (const impl of impls) {
    const a = await impl.client.getJson(impl.page1(cursors));
    const b = await impl.client.getJson(impl.deep(cursors));
    const deepIds = impl.ids(b.json);
    const deepCmp = compareIds(deepIds, expectedDeep);
    let firstReturnedRank = null;
    if (deepIds?.length) {
      const rank = await withClient(dbUrl, (c) =>
        c.query(
          `SELECT count(*)::int + 1 AS rank FROM orders o, orders r
            WHERE r.id = $2 AND o.tenant_id = $1 AND (o.created_at, o.id) > (r.created_at, r.id)`,
          [CFG.tenant, deepIds[0]],
        ).then((r) => r.rows[0].rank),
      );
      firstReturnedRank = rank;
    }
    checks.impls[impl.id] = {
      page1: { status: a.status, ...compareIds(impl.ids(a.json), expectedPage1) },
      deep: { status: b.status, ...deepCmp, firstReturnedRowNumber: firstReturnedRank, expectedFirstRowNumber: CFG.depth + 1 },
    };
    if (a.status !== 200 || b.status !== 200) {
      throw new Error(`${impl.id}: page 1 → ${a.status}, deep → ${b.status}: ${b.body.slice(0, 300)}`);
    }
    if (impl.id === 'ours') {
      // The page after the deep page, with the cursor the API itself returned.
      const n = await clients.api.getJson(`/orders?limit=${CFG.limit}&cursor=${encodeURIComponent(b.json.next_cursor)}`);
      checks.impls.ours.afterDeep = { status: n.status, ...compareIds(impl.ids(n.json), truth.deepNextPage.map((r) => r.id)) };
      // A tampered cursor is refused (the signature is checked, not just decoded).
      const bad = await clients.api.get(`/orders?limit=${CFG.limit}&cursor=${encodeURIComponent(cursors.ours.slice(0, -2) + 'AA')}`);
      checks.impls.ours.tamperedCursorStatus = bad.status;
    }
    log(
      `verify ${impl.id.padEnd(9)} page1 ${a.status} ${checks.impls[impl.id].page1.exact ? 'exact' : 'DIFFERS'}; ` +
        `deep ${b.status} ${deepCmp.exact ? 'exact' : `overlap ${deepCmp.overlap}/${deepCmp.expected}, first row #${firstReturnedRank}`}`,
    );
  }
  return { cursors, checks };
}

// ------------------------------------------------------------------------- correctness walks

function walkReport(walked, truthRows) {
  const truth = truthRows.map((r) => r.id);
  const pos = new Map(truth.map((id, i) => [id, i]));
  const seen = new Set(walked);
  const last = Math.max(...walked.map((id) => pos.get(id) ?? -1));
  const expected = truth.slice(0, last + 1);
  const missing = expected.filter((id) => !seen.has(id));
  const duplicates = walked.length - seen.size;
  let outOfOrder = 0;
  for (let i = 1; i < walked.length; i++) if ((pos.get(walked[i]) ?? -1) <= (pos.get(walked[i - 1]) ?? -1)) outOfOrder++;
  const byId = new Map(truthRows.map((r) => [r.id, r]));
  return {
    rowsReturned: walked.length,
    distinctRows: seen.size,
    coveredRows: expected.length,
    missing: missing.length,
    duplicates,
    outOfOrder,
    missingExamples: missing.slice(0, 3).map((id) => ({ id, created_at: byId.get(id)?.ts })),
  };
}

async function walk(client, firstPath, nextPath, pages, ids) {
  const walked = [];
  let path = firstPath;
  for (let i = 0; i < pages && path; i++) {
    const r = await client.getJson(path);
    if (r.status !== 200) return { error: `HTTP ${r.status} on page ${i + 1}: ${r.body.slice(0, 200)}`, walked };
    walked.push(...ids(r.json));
    path = nextPath(r.json);
  }
  return { walked };
}

async function correctnessWalks(clients) {
  const L = CFG.limit;
  const truth = truthCache;
  const out = {};
  const run = async (id, client, first, next, pages, truthRows) => {
    const t = Date.now();
    const { walked, error } = await resilient(`walk ${id}`, () => walk(client, first, next, pages, (j) => j.data.map((o) => o.id)));
    out[id] = { pages, ...(error ? { error } : {}), ...walkReport(walked, truthRows), seconds: +((Date.now() - t) / 1000).toFixed(1) };
    log(`walk ${id.padEnd(14)} ${pages} pages: missing ${out[id].missing}, duplicates ${out[id].duplicates}${error ? ` (${error})` : ''}`);
  };
  const cursorNext = (base) => (j) => (j.next_cursor ? `${base}&cursor=${encodeURIComponent(j.next_cursor)}` : null);
  await run('ours', clients.api, `/orders?limit=${L}`, cursorNext(`/orders?limit=${L}`), CFG.walkPages, truth.walkDesc);
  await run('tcp (DESC)', clients.cmp, `/tcp/orders?limit=${L}`, cursorNext(`/tcp/orders?limit=${L}`), CFG.walkPages, truth.walkDesc);
  await run(
    'tcp (ASC)',
    clients.cmp,
    `/tcp/orders?limit=${L}&order=ASC`,
    cursorNext(`/tcp/orders?limit=${L}&order=ASC`),
    CFG.walkPages,
    truth.walkAsc,
  );
  await run(
    'np-cursor',
    clients.cmp,
    `/np-cursor/orders?limit=${L}`,
    (j) => (j.links?.next ? `/np-cursor/orders?limit=${L}&cursor=${new URL(j.links.next, 'http://x').searchParams.get('cursor')}` : null),
    CFG.walkPagesSlow,
    truth.walkDesc,
  );
  // nestjs-paginate cursor mode with the unique key (createdAt, id): does it accept a text id?
  const both = await resilient('np-cursor (createdAt,id)', () => clients.cmp.get(`/np-cursor/orders?limit=${L}&sortBy=createdAt:DESC&sortBy=id:DESC`));
  out['np-cursor (createdAt,id)'] = { status: both.status, body: both.body.slice(0, 300) };
  log(`np-cursor with sortBy createdAt,id → HTTP ${both.status}`);
  return out;
}

let truthCache;

// ------------------------------------------------------------------------------------ timing

/**
 * Page 1 and the deep page of one implementation, timed interleaved (page 1, deep, deep, page 1, …) so
 * that both see the same background load: on a shared 2-core machine load comes in bursts, and
 * measuring one case after the other lets a burst land on one of them only.
 * Pairs whose cases both answer in under FAST_MS get a longer warm-up and more samples
 * (BENCH_N_FAST): 30 requests of ~1 ms span ~30 ms, too short a window. Decided once per
 * implementation (first round), so every round takes as many samples.
 */
const fastImpls = new Map();

async function timePair(impl, cursors) {
  const paths = { page1: impl.page1(cursors), deep: impl.deep(cursors) };
  const once = async (kind) => {
    const r = await impl.client.get(paths[kind]);
    if (r.status !== 200) throw new Error(`HTTP ${r.status} for ${paths[kind]}: ${r.body.slice(0, 200)}`);
    return r.ms;
  };
  const warm = { page1: [], deep: [] };
  for (let i = 0; i < CFG.warmup; i++) for (const kind of ['page1', 'deep']) warm[kind].push(await once(kind));
  if (!fastImpls.has(impl.id)) fastImpls.set(impl.id, Math.max(median(warm.page1), median(warm.deep)) < CFG.fastMs);
  let n = CFG.n;
  if (fastImpls.get(impl.id)) {
    for (let i = 0; i < CFG.warmupFast; i++) for (const kind of ['page1', 'deep']) await once(kind);
    n = Math.max(CFG.n, CFG.nFast);
  }
  const samples = { page1: [], deep: [] };
  for (let i = 0; i < n; i++) {
    for (const kind of i % 2 ? ['deep', 'page1'] : ['page1', 'deep']) samples[kind].push(await once(kind));
  }
  return samples;
}

async function latency(impls, cursors) {
  const results = Object.fromEntries(impls.map((i) => [i.id, { page1: [], deep: [] }]));
  for (let round = 0; round < CFG.rounds; round++) {
    // Rotate the order each round so that no implementation always runs first (or last).
    const order = impls.map((_, i) => impls[(i + round) % impls.length]);
    for (const impl of order) {
      const pair = await resilient(`round ${round + 1} ${impl.id}`, () => timePair(impl, cursors));
      for (const kind of ['page1', 'deep']) {
        results[impl.id][kind].push({ round: round + 1, samples: pair[kind], ...summarize(pair[kind]) });
      }
      log(
        `round ${round + 1} ${impl.id.padEnd(9)} n=${String(pair.page1.length).padEnd(3)} ` +
          `page 1 median ${fmt(median(pair.page1))} ms (p95 ${fmt(percentile(pair.page1, 95))}), ` +
          `deep median ${fmt(median(pair.deep))} ms (p95 ${fmt(percentile(pair.deep, 95))})`,
      );
    }
  }
  const summary = {};
  for (const [id, r] of Object.entries(results)) {
    const s = (rounds) => ({
      medianOfMedians: median(rounds.map((x) => x.median)),
      medianOfP95: median(rounds.map((x) => x.p95)),
      pooledP95: percentile(rounds.flatMap((x) => x.samples), 95),
      roundMedians: rounds.map((x) => +x.median.toFixed(3)),
    });
    summary[id] = { page1: s(r.page1), deep: s(r.deep) };
    // Ratios are taken within a round (page 1 and deep were measured interleaved, under the same
    // load), then the median over rounds: on a machine whose load changes between rounds, dividing a
    // median taken from one round by a median taken from another would mostly measure that change.
    summary[id].deepOverPage1PerRound = r.deep.map((d, i) => d.median / r.page1[i].median);
    summary[id].deepOverPage1 = median(summary[id].deepOverPage1PerRound);
    summary[id].deepOverPage1OfMedians = summary[id].deep.medianOfMedians / summary[id].page1.medianOfMedians;
  }
  for (const id of Object.keys(summary)) {
    summary[id].deepOverOursDeepPerRound = results[id].deep.map((d, i) => d.median / results.ours.deep[i].median);
    summary[id].deepOverOursDeep = median(summary[id].deepOverOursDeepPerRound);
    summary[id].deepOverOursDeepOfMedians = summary[id].deep.medianOfMedians / summary.ours.deep.medianOfMedians;
  }
  return { results, summary };
}

// ----------------------------------------------------------------------------------- EXPLAIN

async function explainPlans(clients, cursors, impls) {
  const out = {};
  const plans = [];
  const { boundary } = truthCache;
  const oursSql = (qs) => clients.cmp.getJson(`/_bench/ours-sql?limit=${CFG.limit}${qs}`).then((r) => r.json);
  plans.push(['ours', 'page1', [await oursSql('')]]);
  plans.push(['ours', 'deep', [await oursSql(`&k0=${encodeURIComponent(boundary.ts)}&k1=${encodeURIComponent(boundary.id)}`)]]);
  for (const impl of impls.filter((i) => i.id !== 'ours')) {
    for (const kind of ['page1', 'deep']) {
      await clients.cmp.get('/_bench/capture?on=1');
      await clients.cmp.get(impl[kind](cursors));
      const { queries } = (await clients.cmp.getJson('/_bench/capture?on=0')).json;
      plans.push([impl.id, kind, queries.filter((q) => /^\s*SELECT/i.test(q.sql))]);
    }
  }
  await withClient(dbUrl, async (c) => {
    for (const [id, kind, queries] of plans) {
      out[id] ??= {};
      out[id][kind] = [];
      for (const q of queries) {
        try {
          const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
          const text = r.rows.map((x) => x['QUERY PLAN']);
          const exec = text.find((l) => l.startsWith('Execution Time'));
          out[id][kind].push({ sql: q.sql, params: q.params, plan: text, top: text[0].trim(), executionTime: exec });
        } catch (e) {
          out[id][kind].push({ sql: q.sql, params: q.params, error: e.message });
        }
      }
    }
  });
  return out;
}

// ------------------------------------------------------------------------------------ report

function planSummary(q) {
  // The access path (scan / sort / limit nodes, without cost figures), rows thrown away by filters,
  // the buffers of the top node and the execution time.
  const nodes = q.plan
    .filter((l) => /(Scan|Sort|Limit|Aggregate)/.test(l) && !/Sort (Key|Method)|Buffers|Index Cond|Filter/.test(l))
    .map((l) => l.replace(/->\s*/, '').replace(/\s*\(cost=[^)]*\)/, '').replace(/\s*\(actual time=[^)]*\)/, '').trim())
    .slice(0, 4)
    .join(' → ');
  const removed = q.plan
    .map((l) => /Rows Removed by Filter: (\d+)/.exec(l)?.[1])
    .filter(Boolean)
    .map(Number);
  const buffers = q.plan.find((l) => /Buffers:/.test(l))?.trim().replace(/^Buffers:\s*/, '');
  const planning = q.plan.find((l) => l.startsWith('Planning Time'));
  return `${nodes}${removed.length ? `; rows removed by filter: ${removed.join(', ')}` : ''}${buffers ? `; buffers: ${buffers}` : ''}; ${planning ? `${planning}, ` : ''}${q.executionTime}`;
}

function rowsVerdict(v) {
  if (v.exact) return 'exact';
  if (v.overlap === v.expected && v.got === v.expected) return 'same rows, different order';
  return `${v.overlap}/${v.expected} expected rows`;
}

function renderReport(r) {
  const S = r.latency.summary;
  const m = r.machine;
  const lines = [];
  const ours = S.ours;
  const target = ours.deepOverPage1 <= 1.2;
  lines.push(
    '# Pagination benchmark: page 1 vs page at depth ' + CFG.depth.toLocaleString('en-US'),
    '',
    `Generated by \`npm run bench -- pagination\` (bench/pagination/index.mjs) on ${m.date}. Raw figures: [results.json](results.json).`,
    '',
    `**Target for ours: deep page ≤ 1.2 × page 1 → ${fmt(ours.deepOverPage1, 2)}× — ${target ? 'met' : 'NOT met'}** ` +
      `(per round: ${ours.deepOverPage1PerRound.map((x) => fmt(x, 2)).join(', ')}; ratio of the two medians of medians: ${fmt(ours.deepOverPage1OfMedians, 2)}).`,
    '',
    `GET /orders of one tenant with ${r.data.tenantRows.toLocaleString('en-US')} orders (+ ${r.data.otherTenantRows.toLocaleString('en-US')} of a second tenant), ` +
      `newest first, limit ${CFG.limit}. Page 1 = no cursor/offset; deep = the page after row ${CFG.depth.toLocaleString('en-US')} ` +
      `(rows ${(CFG.depth + 1).toLocaleString('en-US')}–${(CFG.depth + CFG.limit).toLocaleString('en-US')}). ` +
      `Latency is per request, sequential over one keep-alive connection, measured by the client from request to last body byte; ` +
      `page-1 and deep requests of an implementation interleaved (so that both see the same background load), ${CFG.warmup} warm-up + ${CFG.n} timed requests per case and round ` +
      `(implementations whose two cases answered the warm-up in under ${CFG.fastMs} ms: ${CFG.warmup + CFG.warmupFast} warm-up + ${Math.max(CFG.n, CFG.nFast)}), ${CFG.rounds} rounds with the implementation order rotated; ` +
      'times are the **median of the round medians** (p95: median of the round p95s); ratios are taken within each round, where both sides ran under the same load, and the median over rounds is shown.',
    '',
    '| Implementation | Mode | Page 1 median ms (p95) | Deep median ms (p95) | Deep / page 1 | Deep / ours deep | Rows vs SQL |',
    '|---|---|---:|---:|---:|---:|---|',
  );
  for (const impl of r.implementations) {
    const s = S[impl.id];
    const v = r.verification.checks.impls[impl.id];
    const ok =
      `page 1: ${rowsVerdict(v.page1)}; deep: ${rowsVerdict(v.deep)}` +
      (v.deep.exact ? '' : `, starts at row #${v.deep.firstReturnedRowNumber?.toLocaleString('en-US')}`);
    lines.push(
      `| ${impl.name} | ${impl.mode} | ${fmt(s.page1.medianOfMedians)} (${fmt(s.page1.medianOfP95)}) | ` +
        `${fmt(s.deep.medianOfMedians)} (${fmt(s.deep.medianOfP95)}) | ${fmt(s.deepOverPage1, 2)}× | ${fmt(s.deepOverOursDeep, 1)}× | ${ok} |`,
    );
  }
  lines.push('', 'Round medians (ms), page 1 / deep:', '');
  for (const impl of r.implementations) {
    const s = S[impl.id];
    const perRound = s.deep.roundMedians.map((d, i) => fmt(d / s.page1.roundMedians[i], 2));
    lines.push(
      `- ${impl.id}: ${s.page1.roundMedians.map((x) => fmt(x)).join(', ')} / ${s.deep.roundMedians.map((x) => fmt(x)).join(', ')}` +
        ` (deep / page 1 per round: ${perRound.join(', ')})`,
    );
  }

  // Correctness
  const w = r.walks;
  const tcpC = r.verification.checks.cursors.tcp;
  lines.push(
    '',
    '## Cursor correctness with microsecond timestamps',
    '',
    `Walk from page 1 following each implementation's own next cursor, compared with \`ORDER BY created_at, id\` in SQL ` +
      `(${r.data.rowsSharingAMillisecond.toLocaleString('en-US')} of the tenant's rows share their millisecond with another row; ` +
      `${r.data.tieGroups.toLocaleString('en-US')} exact created_at ties):`,
    '',
    '| Walk | Pages × limit | Rows returned | Rows missing (skipped) | Rows repeated | Note |',
    '|---|---:|---:|---:|---:|---|',
  );
  for (const [id, x] of Object.entries(w)) {
    if (x.rowsReturned === undefined) continue;
    lines.push(`| ${id} | ${x.pages} × ${CFG.limit} | ${x.rowsReturned} | ${x.missing} | ${x.duplicates} | ${x.error ?? ''} |`);
  }
  const npBoth = w['np-cursor (createdAt,id)'];
  lines.push(
    '',
    `- **typeorm-cursor-pagination**: its cursor stores \`createdAt\` as \`Date.getTime()\` — milliseconds. After row 20 ` +
      `(created_at \`${tcpC.row20CreatedAt}\`) it emits \`${tcpC.libraryCursorAfterRow20}\` = \`${tcpC.decoded}\`. ` +
      'The next page asks for `created_at < <truncated ms> OR (created_at = <truncated ms> AND id < …)`, so in DESC order it ' +
      'skips the rows between the truncated value and the real one (same millisecond, smaller microseconds, and exact ties) ' +
      `— ${w['tcp (DESC)'].missing} rows lost in ${w['tcp (DESC)'].pages} pages — and in ASC order it returns the boundary row ` +
      `again on the next page — ${w['tcp (ASC)'].duplicates} repeats in ${w['tcp (ASC)'].pages} pages. ` +
      `Its deep page (cursor of row ${CFG.depth.toLocaleString('en-US')}) is not the right page either (see the table).`,
    `- **nestjs-paginate cursor mode**: the cursor is \`'V' + epoch milliseconds\` of created_at only (\`${r.verification.checks.cursors.np.libraryCursorAfterRow20}\` after row 20), ` +
      'compared with `<` on a computed string, so every row in the boundary millisecond is skipped ' +
      `(${w['np-cursor'].missing} rows lost in ${w['np-cursor'].pages} pages), and rows within one millisecond come back in no defined order ` +
      `(page 1: ${rowsVerdict(r.verification.checks.impls['np-cursor'].page1)}). Adding the id to the sort to make the key unique: HTTP ${npBoth.status}` +
      `${npBoth.status >= 400 ? ` (\`${npBoth.body.replace(/\s+/g, ' ').slice(0, 160)}\`)` : ' — but the text id is folded into a number (ABS/ROUND), see results.json'}. ` +
      'Its cursor expression is computed per row, so no index serves the ORDER BY: every page, including page 1, sorts all of the tenant\'s rows.',
    `- **ours**: the cursor carries the key as Postgres prints it (\`${r.verification.checks.cursors.ours.apiIssuedKey[0]}\`) and compares the row value ` +
      `\`(created_at, id) < (…::timestamptz, …::text)\`: ${w.ours.missing} missing, ${w.ours.duplicates} repeated.`,
    '- **OFFSET / nestjs-paginate page mode**: exact on a table that does not change during the walk (they shift rows when rows are inserted or deleted meanwhile; not measured here).',
  );

  // How deep cursors were obtained
  const co = r.verification.checks.cursors.ours;
  const vo = r.verification.checks.impls.ours;
  lines.push(
    '',
    '## How the deep page was reached',
    '',
    `- ours: cursor minted with \`CursorCodec\` + \`bindingHash\` from the build's libs/pagination/src/index.js and the run's CURSOR_SECRET, ` +
      `binding built like \`PaginationInterceptor.binding()\` (${JSON.stringify(co.bindingParts)}). Checked against the API: the cursor it issues after page 1 has the same binding ` +
      `(${co.apiIssuedBindingMatches}) and the key of row 20 (${co.apiIssuedKeyMatchesRow20}); the minted deep cursor → HTTP ${vo.deep.status}, rows ${vo.deep.exact ? 'exactly' : 'NOT'} ` +
      `rows ${(CFG.depth + 1).toLocaleString('en-US')}–${(CFG.depth + CFG.limit).toLocaleString('en-US')}; the next_cursor the API returned with it → HTTP ${vo.afterDeep.status}, ` +
      `${vo.afterDeep.exact ? 'exactly' : 'NOT'} the following ${CFG.limit} rows; the same cursor with its signature altered → HTTP ${vo.tamperedCursorStatus}.`,
    `- offset: \`offset=${CFG.depth}\`. nestjs-paginate page mode: \`page=${CFG.depth / CFG.limit + 1}\` (OFFSET ${CFG.depth} plus a COUNT(*) per request).`,
    `- nestjs-paginate cursor mode: \`'V' + padStart(created_at.getTime(), 15)\` of row ${CFG.depth.toLocaleString('en-US')} — identical to what the library emits (checked on row 20: ${r.verification.checks.cursors.np.same}).`,
    `- typeorm-cursor-pagination: the library's own \`Paginator.encode()\` of row ${CFG.depth.toLocaleString('en-US')} (identical to the cursor it emits after page 1 for row 20: ${tcpC.mintEqualsLibrary}).`,
  );

  // Plans
  lines.push(
    '',
    '## Query plans (EXPLAIN (ANALYZE, BUFFERS) of the exact SQL each implementation sends, run once after the timing)',
    '',
  );
  for (const [id, kinds] of Object.entries(r.explain)) {
    for (const [kind, qs] of Object.entries(kinds)) {
      for (const q of qs) {
        if (q.error) lines.push(`- ${id}, ${kind}: EXPLAIN failed: ${q.error}`);
        else lines.push(`- ${id}, ${kind}: ${planSummary(q)}`);
      }
    }
  }
  if (r.serverDeaths.length) {
    lines.push('', '## Server processes that died during the run', '');
    for (const d of r.serverDeaths) {
      lines.push(
        `- ${d.name} (pid ${d.pid}) died at ${d.at} (noticed during ${d.during}): ${JSON.stringify(d.exit)}` +
          `${d.exit?.signal ? ' — a signal from outside this bench (nothing in its log)' : ''}; the bench restarted it and repeated that step.`,
      );
    }
  }
  lines.push(
    '',
    '## Notes',
    '',
    '- "Deep / page 1" is the depth penalty of each implementation; the target applies to ours. Our deep page reads the same handful of index and heap pages as page 1 and plans and runs in about the same time (see the plans). ' +
      'What a deep request adds is constant, not a function of depth: the cursor to verify (HMAC) and decode, two more bound parameters and a longer URL to parse; on a loaded machine that constant grows with CPU contention.',
    `- OFFSET, nestjs-paginate page mode and typeorm-cursor-pagination read and discard the ${CFG.depth.toLocaleString('en-US')} preceding index entries (and their heap rows) on every deep request. ` +
      'typeorm-cursor-pagination does so because it writes the keyset condition as `a < x OR (a = x AND b < y)`, which Postgres applies as a filter, not as an index bound; ours uses a row-value comparison, which is an index bound.',
    '- nestjs-paginate page mode also runs `COUNT(*)` over the tenant on every request (its page 1 cost); its cursor mode sorts the whole tenant on every request, so its page 1 is slower than its deep page (fewer rows pass the cursor filter at depth).',
    '- The competitor app has no API-key guard, validation pipe, interceptor or CLS transaction; the service does, so its absolute page-1 time includes that overhead.',
    '',
    '## Setup',
    '',
    `- Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.totalMemGiB} GiB RAM, ${m.os}; load average (1/5/15 min) at start ${m.loadavgAtStart.join(' / ')}, at the end ${m.loadavgAtEnd?.join(' / ') ?? 'n/a'}${Math.max(m.loadavgAtStart[0], m.loadavgAtEnd?.[0] ?? 0) > m.nproc ? ' — more runnable work than CPUs: other jobs shared the machine' : ''}. Shared and noisy: compare ratios, not absolute values.`,
    `- Node ${m.node}; ${m.postgres}; the database, the service, the competitor app and the client all on this machine.`,
    `- Build: ${r.build}. The service ran as \`node <build>/apps/api/src/main.js\` (RUN_WORKERS=false, LOG_LEVEL=warn, default pool of 20).`,
    `- Competitors: one small Nest 12 app (bench/pagination/competitors.mjs) over the same database with the service's \`Order\` entity from the same build and the same pool settings; no auth, validation or CLS (the service pays for its API-key guard, validation pipe, interceptor and transaction context on every request).`,
    `- Data: database \`${CFG.dbName}\` dropped and recreated, schema by the service's migrations (\`runMigrations\`), one \`INSERT … SELECT generate_series\` per tenant ` +
      `(${r.data.insertSeconds}s for ${r.data.tenantRows.toLocaleString('en-US')} rows), then ANALYZE. Bursts of 3 orders within ~0.3 ms, bursts ~31 s apart, ` +
      `${r.data.distinctCreatedAt.toLocaleString('en-US')} distinct created_at, ${r.data.rowsWithSubMillisecondPart.toLocaleString('en-US')} rows with a sub-millisecond part, ` +
      `${r.data.tieGroups.toLocaleString('en-US')} exact ties; ${r.data.oldest} … ${r.data.newest}; table ${r.data.tableSize}, indexes ${r.data.indexesSize}.`,
    `- Whole run: ${r.totalSeconds}s. Database dropped and spawned processes stopped at the end.`,
    '',
  );
  return lines.join('\n');
}

// -------------------------------------------------------------------------------------- main

async function main() {
  const loadavgAtStart = machineInfo().loadavg;
  const result = { config: { ...CFG, adminUrl: undefined }, runId: RUN_ID };
  const clients = {};
  let dbCreated = false;
  let signalled = false;
  const onSignal = async (sig) => {
    if (signalled) return;
    signalled = true;
    log(`${sig}: cleaning up`);
    killAllSync();
    if (dbCreated && !CFG.keepDb) await dropDatabase().catch(() => undefined);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllSync);
  try {
    result.build = await buildAndSnapshot();
    const postgres = await withClient(CFG.adminUrl, (c) => c.query('SHOW server_version').then((r) => `PostgreSQL ${r.rows[0].server_version}`));
    result.machine = machineInfo({ postgres, loadavgAtStart });

    log(`database ${CFG.dbName}: recreate, migrate, load`);
    await createDatabase();
    dbCreated = true;
    result.data = await loadData();
    truthCache = await groundTruth();

    await startServers();
    clients.api = createClient(servers.api.base, { authorization: `Bearer ${API_KEY}` });
    clients.cmp = createClient(servers.competitors.base);
    const impls = implementations(clients);
    result.implementations = impls.map(({ id, name, mode }) => ({ id, name, mode }));

    log('mint deep cursors and verify every implementation against SQL');
    result.verification = await resilient('verification', () => mintAndVerify(impls, clients, truthCache));
    log('correctness walks');
    result.walks = await correctnessWalks(clients);
    log(`latency: ${CFG.rounds} rounds × ${impls.length} implementations × 2 interleaved cases × (${CFG.warmup} warm-up + ${CFG.n}; ${CFG.nFast} where both cases are under ${CFG.fastMs} ms)`);
    result.latency = await latency(impls, result.verification.cursors);
    log('EXPLAIN ANALYZE of page 1 and the deep page');
    result.explain = await resilient('explain', () => explainPlans(clients, result.verification.cursors, impls));
  } finally {
    clients.api?.close();
    clients.cmp?.close();
    await stopAll();
    if (servers.api) log('servers stopped');
    const deleted = await cleanRedis();
    if (deleted) log(`deleted ${deleted} redis keys under ${BULL_PREFIX}:`);
    if (dbCreated && !CFG.keepDb) {
      await dropDatabase().catch((e) => log(`drop database failed: ${e.message}`));
      log(`database ${CFG.dbName} dropped`);
    }
    rmSync(SNAP, { recursive: true, force: true });
  }
  result.serverDeaths = Object.values(servers).flatMap((server) => server.deaths);
  if (result.machine) result.machine.loadavgAtEnd = machineInfo().loadavg;
  result.totalSeconds = Math.round((Date.now() - T0) / 1000);
  writeFileSync(join(HERE, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(HERE, 'REPORT.md'), renderReport(result));
  log(`wrote ${relative(ROOT, join(HERE, 'REPORT.md'))} and results.json`);
  console.log('\n' + renderReport(result).split('\n').slice(0, 14).join('\n'));
}

/** `--report-only`: re-render REPORT.md from the last results.json (no database, no servers). */
function reportOnly() {
  const result = JSON.parse(readFileSync(join(HERE, 'results.json'), 'utf8'));
  Object.assign(CFG, Object.fromEntries(Object.entries(result.config).filter(([, v]) => v !== undefined && v !== null)));
  writeFileSync(join(HERE, 'REPORT.md'), renderReport(result));
  console.log(`re-rendered ${relative(ROOT, join(HERE, 'REPORT.md'))} from results.json of ${result.machine.date}`);
}

(process.argv.includes('--report-only') ? Promise.resolve().then(reportOnly) : main()).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
