import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Response } from 'supertest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { createTestDatabase, type TestDatabase } from './support/database';
import { API_MAIN, freePort, start, startPrivateRedis, WORKER_MAIN } from './support/processes';
import type { Proc } from './support/processes';
import { allowUndocumented } from './support/openapi-validator';
import { auth, createTestApp, type TestApp } from './support/test-app';
import { useTestApp } from './support/use-test-app';
import { startValidatingProxy, type ValidatingProxy } from './support/validating-proxy';

const ADMIN_KEY = 'ops-admin-key-3f9c1b';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
/** The WWW-Authenticate lines as sent (Node joins repeated ones into one value with ", "). */
const challenges = (res: Response) =>
  (res as unknown as { res: IncomingMessage }).res.headersDistinct['www-authenticate'];

describe('queue dashboard without ADMIN_API_KEY', () => {
  // Empty is unset: whatever an earlier app of this worker process left in process.env.
  const t = useTestApp({ TEST_LABEL: 'ops_off', ADMIN_API_KEY: '' });

  it.each(['/admin/queues', '/admin/queues/', '/admin/queues/api/queues'])(
    '%s is not there (404), whatever key is sent',
    async (path) => {
      for (const header of [undefined, `Bearer ${ADMIN_KEY}`, 'Bearer key_acme']) {
        const req = t.http.get(path);
        const res = await (header ? req.set('Authorization', header) : req);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBe('not_found');
      }
    },
  );
});

describe('queue dashboard with ADMIN_API_KEY', () => {
  const t = useTestApp({ TEST_LABEL: 'ops', ADMIN_API_KEY: ADMIN_KEY });

  it.each([
    ['Bearer', `Bearer ${ADMIN_KEY}`],
    ['Basic (the key as password)', basic('admin', ADMIN_KEY)],
  ])('serves the dashboard page with %s', async (_what, header) => {
    const res = await t.http.get('/admin/queues').set('Authorization', header).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<base href="/admin/queues/"');
    expect(res.text).toContain('<div id="root">');
    // Its own scripts load from the same origin, with the same credentials.
    const script = /src="(static\/js\/main[^"]+\.js)"/.exec(res.text)?.[1];
    expect(script).toBeDefined();
    const js = await t.http.get(`/admin/queues/${script}`).set('Authorization', header);
    expect(js.status).toBe(200);
    await t.http.get(`/admin/queues/${script}`).expect(401);
  });

  it('its JSON API lists the bulk-jobs, webhooks and maintenance queues', async () => {
    const res = await t.http
      .get('/admin/queues/api/queues')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .expect(200);
    const names = (res.body.queues as { name: string }[]).map((q) => q.name).sort();
    expect(names).toEqual(['bulk-jobs', 'maintenance', 'webhooks']);
    const basicRes = await t.http
      .get('/admin/queues/api/queues')
      .set('Authorization', basic('ops', ADMIN_KEY))
      .expect(200);
    expect(basicRes.body.queues).toHaveLength(3);
  });

  it('the operator key is not a tenant key', async () => {
    await t.http.get('/orders').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(401);
  });

  it('the dashboard is not part of the OpenAPI document', async () => {
    const spec = (await t.http.get('/openapi.json').expect(200)).body as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths).filter((p) => p.startsWith('/admin'))).toEqual([]);
  });

  it('the dashboard page may load its scripts over plain HTTP (no upgrade-insecure-requests)', async () => {
    const res = await t.http
      .get('/admin/queues')
      .set('Authorization', `Bearer ${ADMIN_KEY}`)
      .expect(200);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(res.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
  });

  describe('X-Request-Id', () => {
    it('echoes a given id', async () => {
      const res = await t.http.get('/orders').set(auth()).set('X-Request-Id', 'lb-7f3a.9:2');
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe('lb-7f3a.9:2');
    });

    it('generates a UUID when none is given', async () => {
      const a = await t.http.get('/orders').set(auth()).expect(200);
      const b = await t.http.get('/orders').set(auth()).expect(200);
      expect(a.headers['x-request-id']).toMatch(UUID);
      expect(b.headers['x-request-id']).toMatch(UUID);
      expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    });

    it.each([['x'.repeat(129)], ['two words'], ['semi;colon'], ['<script>']])(
      'replaces an unsafe id %j with a UUID',
      async (given) => {
        const res = await t.http.get('/health/live').set('X-Request-Id', given).expect(200);
        expect(res.headers['x-request-id']).toMatch(UUID);
      },
    );

    it('is on every response: 401, 400 from the body parser, 404, probes and the dashboard', async () => {
      allowUndocumented({
        name: 'a 404 for an unknown route carries the id too',
        method: 'GET',
        path: '/no-such-route',
        statuses: [404],
      });
      const responses = await Promise.all([
        t.http.get('/orders'),
        t.http
          .post('/orders')
          .set(auth())
          .set('content-type', 'application/json')
          .send('{"broken":'),
        t.http.get('/no-such-route').set(auth()),
        t.http.get('/health/ready'),
        t.http.get('/admin/queues'),
      ]);
      expect(responses.map((r) => r.status)).toEqual([401, 400, 404, 200, 401]);
      for (const r of responses) expect(r.headers['x-request-id']).toMatch(UUID);
    });
  });
});

/** Wrong keys get their own app: the limiter below remembers them for a minute. */
describe('wrong operator keys', () => {
  const t = useTestApp({ TEST_LABEL: 'ops_keys', ADMIN_API_KEY: ADMIN_KEY });

  it.each([
    ['no credentials', undefined],
    ['a wrong Bearer key', 'Bearer wrong-key'],
    ['a tenant API key', 'Bearer key_acme'],
    ['a wrong Basic password', basic('admin', 'wrong-key')],
    ['the key as Basic user name', basic(ADMIN_KEY, '')],
    ['a truncated key', `Bearer ${ADMIN_KEY.slice(0, -1)}`],
  ])('401 with %s, challenging Bearer and Basic', async (_what, header) => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const req = t.http.get(path);
      const res = await (header ? req.set('Authorization', header) : req);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('unauthorized');
      // One challenge per line: Chromium reads only the first challenge of a line.
      expect(challenges(res)).toEqual([
        'Basic realm="operators", charset="UTF-8"',
        'Bearer realm="operators"',
      ]);
      expect(res.text).not.toContain('bulk-jobs');
    }
  });

  it('after 10 wrong keys in a minute: 429 with Retry-After on /admin/* and /metrics, the right key included', async () => {
    // The table above sent 5 wrong keys to 2 paths each from this address: 10 failures.
    for (const [path, header] of [
      ['/admin/queues/api/queues', 'Bearer wrong-again'],
      ['/admin/queues', `Bearer ${ADMIN_KEY}`],
      ['/metrics', `Bearer ${ADMIN_KEY}`],
      ['/metrics', 'Bearer wrong-again'],
    ]) {
      const res = await t.http.get(path).set('Authorization', header);
      expect(res.status, path).toBe(429);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('rate_limited');
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // Tenants are not affected.
    await t.http.get('/orders').set(auth()).expect(200);
  });
});

/**
 * Behind a load balancer every request comes from the balancer's address: the wrong-key budget must
 * be the client's, as the balancer's X-Forwarded-For names it, and only a trusted proxy's counts.
 */
describe('wrong operator keys behind a proxy (TRUST_PROXY=loopback)', () => {
  const t = useTestApp({
    TEST_LABEL: 'ops_proxy',
    ADMIN_API_KEY: ADMIN_KEY,
    TRUST_PROXY: 'loopback',
  });
  const guess = (path: string, header: string, forwardedFor: string) =>
    t.http.get(path).set('Authorization', header).set('X-Forwarded-For', forwardedFor);

  it('locks out the client that guessed, not the operators behind the same proxy', async () => {
    for (let i = 0; i < 10; i++) {
      const path = i % 2 ? '/metrics' : '/admin/queues/api/queues';
      expect((await guess(path, `Bearer wrong-${i}`, '203.0.113.7')).status, path).toBe(401);
    }
    for (const path of ['/admin/queues/api/queues', '/metrics']) {
      const res = await guess(path, `Bearer ${ADMIN_KEY}`, '203.0.113.7');
      expect(res.status, path).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // The guesser's own forged entry in front of the proxy's does not give it a fresh budget:
      // the proxy appends the address it saw, and that one counts.
      const forged = await guess(path, `Bearer ${ADMIN_KEY}`, '203.0.113.8, 203.0.113.7');
      expect(forged.status, path).toBe(429);
    }
    // Another client through the same proxy (the same peer address) still gets in.
    for (const path of ['/admin/queues/api/queues', '/metrics']) {
      const res = await guess(path, `Bearer ${ADMIN_KEY}`, '203.0.113.8');
      expect(res.status, path).toBe(200);
    }
    const page = await guess('/admin/queues', basic('admin', ADMIN_KEY), '203.0.113.8');
    expect(page.status).toBe(200);
  });
});

describe('wrong operator keys without TRUST_PROXY', () => {
  // Empty is unset: whatever an earlier app of this worker process left in process.env.
  const t = useTestApp({ TEST_LABEL: 'ops_noproxy', ADMIN_API_KEY: ADMIN_KEY, TRUST_PROXY: '' });

  it('a forged X-Forwarded-For does not escape the limit: the peer address counts', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await t.http
        .get('/admin/queues/api/queues')
        .set('Authorization', `Bearer wrong-${i}`)
        .set('X-Forwarded-For', `203.0.113.${i + 1}`);
      expect(res.status).toBe(401);
    }
    for (const path of ['/admin/queues/api/queues', '/metrics']) {
      const res = await t.http
        .get(path)
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .set('X-Forwarded-For', '198.51.100.99');
      expect(res.status, path).toBe(429);
    }
  });
});

describe('queue dashboard modes', () => {
  let t: TestApp;
  const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
  afterEach(async () => {
    await t?.close();
    delete process.env.ADMIN_API_KEY;
    delete process.env.ADMIN_BOARD_ACTIONS;
  });

  /** An entry parked on the bulk queue (delayed ten minutes, so no worker takes it meanwhile). */
  const parkedEntry = async () => {
    const bulk = t.app.get<Queue>(getQueueToken('bulk-jobs'));
    const id = `ops-parked-${randomBytes(4).toString('hex')}`;
    await bulk.add(
      'chunk',
      { jobId: '00000000-0000-4000-8000-000000000000', chunk: 0 },
      { jobId: id, delay: 600_000 },
    );
    return id;
  };

  it('is read-only by default: says so, and refuses every action with 403', async () => {
    t = await createTestApp({ TEST_LABEL: 'ops_ro', ADMIN_API_KEY: ADMIN_KEY });
    const page = await t.http.get('/admin/queues').set(admin).expect(200);
    expect(page.headers['x-queue-board-mode']).toBe('read-only');
    expect(page.text).toContain('read-only');
    const api = await t.http.get('/admin/queues/api/queues').set(admin).expect(200);
    for (const q of api.body.queues as { readOnlyMode: boolean }[]) {
      expect(q.readOnlyMode).toBe(true);
    }
    const entry = await parkedEntry();
    for (const [method, path] of [
      ['put', '/admin/queues/api/queues/bulk-jobs/pause'],
      ['put', '/admin/queues/api/queues/bulk-jobs/retry/failed'],
      ['put', '/admin/queues/api/queues/bulk-jobs/clean/completed'],
      ['put', `/admin/queues/api/queues/bulk-jobs/${encodeURIComponent(entry)}/clean`],
      ['put', '/admin/queues/api/queues/bulk-jobs/empty'],
      ['post', '/admin/queues/api/queues/bulk-jobs/add'],
    ] as const) {
      const res = await t.http[method](path).set(admin).send({});
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.code).toBe('forbidden');
    }
    // Nothing changed: the entry is still there.
    await t.http
      .get(`/admin/queues/api/queues/bulk-jobs/${encodeURIComponent(entry)}`)
      .set(admin)
      .expect(200);
  });

  it('with ADMIN_BOARD_ACTIONS=true: pause, promote, retry and clean work, adding and emptying do not', async () => {
    t = await createTestApp({
      TEST_LABEL: 'ops_rw',
      ADMIN_API_KEY: ADMIN_KEY,
      ADMIN_BOARD_ACTIONS: 'true',
    });
    const page = await t.http.get('/admin/queues').set(admin).expect(200);
    expect(page.headers['x-queue-board-mode']).toBe('actions');
    expect(page.text).toContain('actions: retry, clean, pause, promote');
    const entry = await parkedEntry();
    const base = '/admin/queues/api/queues/webhooks';
    expect((await t.http.put(`${base}/pause`).set(admin)).status).toBeLessThan(300);
    expect((await t.http.put(`${base}/resume`).set(admin)).status).toBeLessThan(300);
    expect((await t.http.put(`${base}/promote`).set(admin)).status).toBeLessThan(300);
    expect((await t.http.put(`${base}/retry/failed`).set(admin)).status).toBeLessThan(300);
    expect((await t.http.put(`${base}/clean/completed`).set(admin)).status).toBeLessThan(300);
    for (const [method, path] of [
      ['post', `${base}/add`],
      ['put', `${base}/empty`],
      ['put', `${base}/obliterate`],
      ['patch', `/admin/queues/api/queues/bulk-jobs/${encodeURIComponent(entry)}/update-data`],
    ] as const) {
      const res = await t.http[method](path).set(admin).send({ name: 'x', data: {} });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    // Cleaning one job: the entry goes (never a 500), a missing one is 404.
    const clean = await t.http
      .put(`/admin/queues/api/queues/bulk-jobs/${encodeURIComponent(entry)}/clean`)
      .set(admin);
    expect(clean.status, clean.text).toBe(204);
    await t.http
      .get(`/admin/queues/api/queues/bulk-jobs/${encodeURIComponent(entry)}`)
      .set(admin)
      .expect(404);
    const missing = await t.http
      .put('/admin/queues/api/queues/bulk-jobs/no-such-job/clean')
      .set(admin);
    expect(missing.status, missing.text).toBe(404);
  });
});

/** The built API and worker as processes: their stdout is what a log shipper reads. */
describe('structured logs', () => {
  const TENANT_KEY = `key_${randomBytes(8).toString('hex')}`;
  const procs: Proc[] = [];
  let db: TestDatabase;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let dir: string;
  let api: { proc: Proc; stdout: () => string; base: string };
  let proxy: ValidatingProxy | undefined;
  let env: NodeJS.ProcessEnv;

  /** Spawns and keeps stdout apart from stderr: every stdout line must be a JSON object. */
  const launch = (main: string, extra: NodeJS.ProcessEnv) => {
    const proc = start('node', [main], { env: { ...env, ...extra } });
    procs.push(proc);
    let stdout = '';
    proc.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    return { proc, stdout: () => stdout };
  };
  const lines = (stdout: string) =>
    stdout
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    db = await createTestDatabase('ops_logs');
    redis = await startPrivateRedis();
    dir = mkdtempSync(join(tmpdir(), 'ops-'));
    env = {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      API_KEYS: `acme:${TENANT_KEY}`,
      ADMIN_API_KEY: ADMIN_KEY,
      CURSOR_SECRET: 'ops-cursor-secret',
      BULL_PREFIX: `ops_${randomBytes(4).toString('hex')}`,
      NODE_ENV: 'test',
      LOG_LEVEL: 'log',
      RATE_LIMIT_PER_MINUTE: '1000',
    };
    delete env.LOG_FORMAT;
    const port = await freePort();
    const launched = launch(API_MAIN, { PORT: String(port), RUN_WORKERS: 'false' });
    await launched.proc.waitFor(/API listening/, 60_000);
    proxy = await startValidatingProxy(`http://127.0.0.1:${port}`);
    api = { ...launched, base: proxy.base };
  }, 120_000);

  afterAll(async () => {
    await proxy?.close();
    for (const p of procs) p.child.kill('SIGKILL');
    await redis?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The request's lines, once its completion line (`"msg":"GET /… 200 3ms"`, last key) is out. */
  const logLine = async (stdout: () => string, reqId: string, proc: Proc) => {
    await proc.waitFor(
      new RegExp(`"reqId":"${reqId}"[^\\n]*"msg":"[A-Z]+ /[^"]* \\d{3} \\d+ms"`),
      10_000,
    );
    return lines(stdout()).filter((l) => l.reqId === reqId);
  };

  it('API: one JSON line per request with its id, without the Authorization value', async () => {
    const reqId = `ops-${randomBytes(6).toString('hex')}`;
    const res = await fetch(`${api.base}/orders?limit=5&customer_id=cus_s3cr3t_4711`, {
      headers: {
        Authorization: `Bearer ${TENANT_KEY}`,
        'X-Request-Id': reqId,
        Cookie: 'sid=s3cr3t',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(reqId);
    const [line, ...more] = await logLine(api.stdout, reqId, api.proc);
    expect(more).toEqual([]); // nothing else was logged while handling it
    expect(line).toMatchObject({
      level: 'info',
      severity: 'INFO',
      name: 'api',
      reqId,
      // The query's parameter names, never their values.
      msg: expect.stringMatching(/^GET \/orders\?limit=…&customer_id=… 200 \d+ms$/),
      req: { method: 'GET', url: '/orders?limit=…&customer_id=…' },
      res: { statusCode: 200 },
    });
    // At info the line does not carry the request headers (they cost CPU on every request; they are
    // logged at debug, redacted).
    expect(Object.keys(line.req as object).sort()).toEqual(['method', 'remoteAddress', 'url']);
    expect((line.req as { remoteAddress: string }).remoteAddress).toMatch(/127\.0\.0\.1$/);

    const admin = `ops-admin-${randomBytes(4).toString('hex')}`;
    const board = await fetch(`${api.base}/admin/queues/api/queues`, {
      headers: { Authorization: basic('ops', ADMIN_KEY), 'X-Request-Id': admin },
    });
    expect(board.status).toBe(200);
    const [boardLine] = await logLine(api.stdout, admin, api.proc);
    expect(boardLine.msg).toMatch(/^GET \/admin\/queues\/api\/queues 200/);

    // Neither credential appears anywhere in the output; every stdout line is JSON.
    expect(api.proc.output()).not.toContain(TENANT_KEY);
    expect(api.proc.output()).not.toContain(ADMIN_KEY);
    expect(api.proc.output()).not.toContain(Buffer.from(`ops:${ADMIN_KEY}`).toString('base64'));
    expect(api.proc.output()).not.toContain('s3cr3t');
    expect(api.proc.output()).not.toContain('cus_s3cr3t_4711');
    const all = lines(api.stdout());
    expect(all.find((l) => /API listening/.test(String(l.msg)))).toMatchObject({
      context: 'Bootstrap',
      level: 'info',
    });
  });

  it('API: health probes are logged at debug only (not at LOG_LEVEL=log)', async () => {
    const probe = `ops-probe-${randomBytes(4).toString('hex')}`;
    expect(
      (await fetch(`${api.base}/health/live`, { headers: { 'X-Request-Id': probe } })).status,
    ).toBe(200);
    // A later request's line proves the probe's would have been written by now.
    const after = `ops-after-${randomBytes(4).toString('hex')}`;
    await fetch(`${api.base}/orders`, {
      headers: { Authorization: `Bearer ${TENANT_KEY}`, 'X-Request-Id': after },
    });
    await logLine(api.stdout, after, api.proc);
    expect(api.stdout()).not.toContain(probe);
  });

  it('worker: JSON lines too, and a heartbeat file for container health checks', async () => {
    const heartbeat = join(dir, 'worker.alive');
    const worker = launch(WORKER_MAIN, { WORKER_HEARTBEAT_FILE: heartbeat });
    await worker.proc.waitFor(/Worker started/, 60_000);
    const started = lines(worker.stdout()).find((l) => /Worker started/.test(String(l.msg)));
    expect(started).toMatchObject({ name: 'worker', context: 'Bootstrap', level: 'info' });
    expect(existsSync(heartbeat)).toBe(true);
    expect(Date.parse(readFileSync(heartbeat, 'utf8').trim())).toBeGreaterThan(Date.now() - 30_000);
    worker.proc.child.kill('SIGTERM');
    expect(await worker.proc.exited(30_000)).toBe(0);
    expect(() => lines(worker.stdout())).not.toThrow();
  }, 90_000);

  it('API: a line logged while handling a request carries that request id', async () => {
    // With Redis gone the rate limiter counts in the process alone and warns from inside the request.
    await redis.stop();
    const reqId = `ops-outage-${randomBytes(4).toString('hex')}`;
    const res = await fetch(`${api.base}/orders`, {
      headers: { Authorization: `Bearer ${TENANT_KEY}`, 'X-Request-Id': reqId },
    });
    expect(res.status).toBe(200);
    const own = await logLine(api.stdout, reqId, api.proc);
    const warning = own.find((l) => /counted in this process only/.test(String(l.msg)));
    expect(warning).toMatchObject({ level: 'warn', context: 'RateLimit', reqId });
    expect(own.find((l) => String(l.msg).startsWith('GET /orders 200'))).toBeDefined();
  }, 60_000);
});
