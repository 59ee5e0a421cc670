import { existsSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './support/database';
import { API_MAIN, freePort, start } from './support/processes';
import { startValidatingProxy, type ValidatingProxy } from './support/validating-proxy';

/** The built service as a real process: `npm start` behaviour without the build step. */
describe('service process', () => {
  const dirs: string[] = [];
  const proxies: ValidatingProxy[] = [];
  afterAll(async () => {
    for (const p of proxies) await p.close();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  const baseEnv = (): NodeJS.ProcessEnv => {
    const env = { ...process.env, LOG_LEVEL: 'log' } as NodeJS.ProcessEnv;
    for (const k of [
      'DATABASE_URL',
      'API_KEYS',
      'CURSOR_SECRET',
      'BULL_PREFIX',
      'NODE_ENV',
      'PORT',
    ])
      delete env[k];
    return env;
  };

  it('starts with DATABASE_URL unset on an embedded Postgres, serves orders, and stops it on SIGTERM', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'embedded-'));
    chmodSync(cwd, 0o755); // the embedded server runs as the unprivileged postgres user
    dirs.push(cwd);
    const port = await freePort();
    const proc = start('node', [API_MAIN], {
      cwd,
      env: { ...baseEnv(), PORT: String(port), BULL_PREFIX: `emb_${port}` },
    });
    await proc.waitFor(/API listening/, 60_000);
    expect(proc.output()).toMatch(/embedded PostgreSQL/);
    expect(proc.output()).toMatch(/development tenant "demo"/);
    const proxy = await startValidatingProxy(`http://127.0.0.1:${port}`);
    proxies.push(proxy);
    const base = proxy.base;
    const headers = { Authorization: 'Bearer demo-key', 'content-type': 'application/json' };
    const created = await fetch(`${base}/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ customer_id: 'cus_embedded', amount: 42, currency: 'EUR' }),
    });
    expect(created.status).toBe(201);
    const order = (await created.json()) as { id: string };
    const got = await fetch(`${base}/orders/${order.id}`, { headers });
    expect(got.status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect(existsSync(join(cwd, '.data/pg/postmaster.pid'))).toBe(true);
    proc.child.kill('SIGTERM');
    expect(await proc.exited(30_000)).toBe(0);
    expect(existsSync(join(cwd, '.data/pg/postmaster.pid'))).toBe(false);
  });

  it('fails fast with instructions when Redis does not answer', async () => {
    const db = await createTestDatabase('noredis');
    try {
      const port = await freePort();
      const proc = start('node', [API_MAIN], {
        env: { ...baseEnv(), DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${port}` },
      });
      expect(await proc.exited(20_000)).toBe(1);
      expect(proc.output()).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.1:\d+/);
      expect(proc.output()).toMatch(/redis-server/);
      expect(proc.output()).toMatch(/REDIS_URL/);
    } finally {
      await db.drop();
    }
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ API_KEYS: 'no-colon' }, /API_KEYS must be comma-separated tenant:key pairs/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL/],
    [
      { NODE_ENV: 'production', DATABASE_URL: 'postgres://x@127.0.0.1:1/x' },
      /CURSOR_SECRET: required when NODE_ENV=production/,
    ],
  ])('refuses bad configuration %j with a clear message', async (env, message) => {
    const proc = start('node', [API_MAIN], { env: { ...baseEnv(), ...env } });
    expect(await proc.exited(20_000)).toBe(1);
    expect(proc.output()).toMatch(/Invalid configuration/);
    expect(proc.output()).toMatch(message);
  });
});
