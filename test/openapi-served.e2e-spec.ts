import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database';
import { API_MAIN, freePort, ROOT, start, type Proc } from './support/processes';
import { startValidatingProxy, type ValidatingProxy } from './support/validating-proxy';

const COMMITTED = readFileSync(join(ROOT, 'openapi.json'), 'utf8');
const run = promisify(execFile);
const bin = (path: string) => join(ROOT, 'node_modules', path);

/** The seed scenario, written against each generator's output only: no hand-written types. */
const OPENAPI_FETCH_PROGRAM = `
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

type Job = components['schemas']['BulkJobDto'];
const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:3000', headers: { Authorization: 'Bearer demo-key' } });

export async function seed(): Promise<Job['status']> {
  const order = await api.POST('/orders', {
    body: { customer_id: 'cus_42', amount: 1999, currency: 'EUR' },
    params: { header: { 'Idempotency-Key': 'seed-1' } },
  });
  if (!order.data) throw new Error(order.error?.detail ?? 'no order');
  const created = await api.POST('/bulk-jobs', {
    body: { operation: 'update_orders_status', items: [{ id: order.data.id, status: 'paid' }] },
  });
  if (!created.data) throw new Error(created.error?.code ?? 'no job');
  const job = await api.GET('/bulk-jobs/{id}', { params: { path: { id: created.data.id } } });
  const items = await api.GET('/bulk-jobs/{id}/items', {
    params: { path: { id: created.data.id }, query: { status: 'failed', limit: 100 } },
  });
  for (const item of items.data?.data ?? []) {
    const message: string | undefined = item.error === null ? undefined : item.error.message;
    void message;
  }
  return job.data?.status ?? 'pending';
}
`;
const HEY_API_PROGRAM = `
import { client } from './hey/client.gen';
import { createBulkJob, createOrder, getBulkJob, listBulkJobItems } from './hey/sdk.gen';
import type { BulkJobDto } from './hey/types.gen';

client.setConfig({ baseUrl: 'http://127.0.0.1:3000', headers: { Authorization: 'Bearer demo-key' } });

export async function seed(): Promise<BulkJobDto['status']> {
  const order = await createOrder({
    body: { customer_id: 'cus_42', amount: 1999, currency: 'EUR' },
    headers: { 'Idempotency-Key': 'seed-1' },
  });
  if (!order.data) throw new Error(order.error?.detail ?? 'no order');
  const created = await createBulkJob({
    body: { operation: 'update_orders_status', items: [{ id: order.data.id, status: 'paid' }] },
  });
  if (!created.data) throw new Error('no job');
  const job = await getBulkJob({ path: { id: created.data.id } });
  const items = await listBulkJobItems({
    path: { id: created.data.id },
    query: { status: 'failed', limit: 100 },
  });
  for (const item of items.data?.data ?? []) {
    const message: string | undefined = item.error === null ? undefined : item.error.message;
    void message;
  }
  return job.data?.status ?? 'pending';
}
`;
const STRICT_TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: 'es2022',
    module: 'esnext',
    moduleResolution: 'bundler',
    lib: ['es2022', 'dom'],
    types: [],
    skipLibCheck: true,
  },
  include: ['**/*.ts'],
};

/**
 * `npm run openapi:check` proves the committed file is what the code generates; this proves the
 * built service (`npm start`, with the Swagger CLI plugin's metadata) serves that same document.
 */
describe('served OpenAPI document', () => {
  let db: TestDatabase;
  let proc: Proc;
  let proxy: ValidatingProxy | undefined;
  let base: string;
  beforeAll(async () => {
    db = await createTestDatabase('openapi_served');
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['API_KEYS', 'CURSOR_SECRET', 'NODE_ENV', 'BODY_LIMIT_BYTES']) delete env[k];
    proc = start('node', [API_MAIN], {
      env: {
        ...env,
        DATABASE_URL: db.url,
        PORT: String(port),
        BULL_PREFIX: `oas_${port}`,
        RUN_WORKERS: 'false',
        LOG_LEVEL: 'log',
      },
    });
    await proc.waitFor(/API listening/, 60_000);
    proxy = await startValidatingProxy(`http://127.0.0.1:${port}`);
    base = proxy.base;
  });
  afterAll(async () => {
    await proxy?.close();
    if (proc) {
      proc.child.kill('SIGTERM');
      await proc.exited(30_000).catch(() => proc.child.kill('SIGKILL'));
    }
    await db?.drop();
  });

  it('GET /openapi.json is the committed openapi.json, key order included', async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(`${JSON.stringify(JSON.parse(await res.text()), null, 2)}\n`).toBe(COMMITTED);
  });

  it('generates clients from the served URL (openapi-typescript, @hey-api/openapi-ts) that type-check a seed program under strict', async () => {
    // Inside node_modules so that the programs resolve openapi-fetch like a user's project would.
    const cache = join(ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'generated-clients-'));
    try {
      const url = `${base}/openapi.json`;
      await run(process.execPath, [
        bin('openapi-typescript/bin/cli.js'),
        url,
        '-o',
        join(dir, 'schema.d.ts'),
      ]);
      await run(
        process.execPath,
        [bin('@hey-api/openapi-ts/bin/run.js'), '-i', url, '-o', join(dir, 'hey')],
        { cwd: dir },
      );
      writeFileSync(join(dir, 'openapi-fetch-seed.ts'), OPENAPI_FETCH_PROGRAM);
      writeFileSync(join(dir, 'hey-api-seed.ts'), HEY_API_PROGRAM);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(STRICT_TSCONFIG));
      const tsc = await run(process.execPath, [bin('typescript/bin/tsc'), '-p', dir]).catch(
        (e: Error & { stdout?: string }) => ({ stdout: `tsc failed:\n${e.stdout ?? e.message}` }),
      );
      expect(tsc.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('names its servers, contact and license, as generators and Redocly require', async () => {
    const spec = (await (await fetch(`${base}/openapi.json`)).json()) as {
      servers: unknown[];
      info: { contact: { name: string }; license: { name: string } };
    };
    expect(spec.servers.length).toBeGreaterThan(0);
    expect(spec.info.contact.name).toEqual(expect.any(String));
    expect(spec.info.license.name).toEqual(expect.any(String));
  });
});
