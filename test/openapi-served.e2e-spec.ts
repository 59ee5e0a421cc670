import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database';
import { API_MAIN, freePort, ROOT, start, type Proc } from './support/processes';

const COMMITTED = readFileSync(join(ROOT, 'openapi.json'), 'utf8');

/**
 * `npm run openapi:check` proves the committed file is what the code generates; this proves the
 * built service (`npm start`, with the Swagger CLI plugin's metadata) serves that same document.
 */
describe('served OpenAPI document', () => {
  let db: TestDatabase;
  let proc: Proc;
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
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
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
