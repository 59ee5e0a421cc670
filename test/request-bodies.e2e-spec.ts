import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { auth, TENANTS } from './support/test-app';
import { useTestApp } from './support/use-test-app';

const IDLE_MS = 800;

/** A raw HTTP/1.1 request whose body the test sends (or withholds) itself. */
interface RawRequest {
  socket: Socket;
  /** Everything the server sent, once it closed the connection or answered. */
  response: Promise<{ status: number; headers: string; body: string }>;
}

function rawRequest(port: number, head: string): RawRequest {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(head);
  const response = new Promise<{ status: number; headers: string; body: string }>((ok) => {
    let text = '';
    const done = () => {
      const [headers, body = ''] = text.split('\r\n\r\n');
      ok({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(headers)?.[1] ?? 0), headers, body });
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      // A complete problem answer (Content-Length) is enough; the server closes afterwards.
      const m = /content-length: (\d+)/i.exec(text);
      const at = text.indexOf('\r\n\r\n');
      if (m && at >= 0 && Buffer.byteLength(text.slice(at + 4)) >= Number(m[1])) done();
    });
    socket.on('close', done);
  });
  return { socket, response };
}

const uploadHead = (port: number, tenant: keyof typeof TENANTS, extra = '') =>
  `POST /bulk-jobs?operation=update_orders_status HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
  `Authorization: Bearer ${TENANTS[tenant]}\r\nContent-Type: application/x-ndjson\r\n` +
  `Transfer-Encoding: chunked\r\n${extra}\r\n`;
const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
const line = (i: number) => `{"id":"ord_${i}","status":"shipped"}\n`;

describe('request bodies: read only for a known caller, bounded, never holding the database', () => {
  const t = useTestApp({
    TEST_LABEL: 'bodies',
    RUN_WORKERS: 'false',
    UPLOAD_IDLE_TIMEOUT_MS: String(IDLE_MS),
    BULK_MAX_BODY_BYTES: String(64 * 1024),
    TENANT_MAX_CONCURRENT_UPLOADS: '3',
    TENANT_KEY_FAILURES_PER_MINUTE: '5',
    TRUST_PROXY: 'loopback',
    DB_POOL_SIZE: '2',
  });
  let port = 0;

  beforeAll(() => {
    // The SDK clients made the server listen on a free loopback port.
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });

  const jobCount = async () =>
    Number((await t.pg.query<{ n: string }>('SELECT count(*) AS n FROM bulk_jobs')).rows[0].n);

  it('answers 415 for JSON in another charset, before parsing it', async () => {
    const deep = Buffer.from('['.repeat(5000) + ']'.repeat(5000), 'utf16le');
    const res = await t.http
      .post('/bulk-jobs')
      .set(auth())
      .set('Content-Type', 'application/json; charset=utf-16le')
      .send(deep);
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_media_type');
    expect(res.body.detail).toContain('UTF-8');
    const utf8 = await t.http
      .post('/orders')
      .set(auth())
      .set('Content-Type', 'application/json; charset="UTF-8"')
      .send(JSON.stringify({ customer_id: 'cus_1', amount: 100, currency: 'EUR' }));
    expect(utf8.status).toBe(201);
  });

  it('answers 401 to a wrong key without reading its body', async () => {
    const r = rawRequest(
      port,
      `POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-a-key\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${16 * 1024 * 1024}\r\n` +
        `X-Forwarded-For: 198.51.100.1\r\n\r\n{"customer_id":`,
    );
    // Only 15 bytes of 16 MiB were sent: the answer can only come from not waiting for the rest.
    const res = await r.response;
    r.socket.destroy();
    expect(res.status).toBe(401);
    expect(res.body).toContain('unauthorized');
  });

  it('limits wrong tenant keys per client address, without touching other addresses', async () => {
    const from = (address: string, key: string) =>
      t.http.get('/orders').set('Authorization', `Bearer ${key}`).set('X-Forwarded-For', address);
    for (let i = 0; i < 5; i++) expect((await from('203.0.113.9', 'guess')).status).toBe(401);
    const refused = await from('203.0.113.9', 'guess');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The brake holds for the right key too from that address, or guessing would go on.
    expect((await from('203.0.113.9', TENANTS.acme)).status).toBe(429);
    // Another address behind the same trusted proxy is a different client.
    expect((await from('203.0.113.10', TENANTS.acme)).status).toBe(200);
  });

  it('refuses a streamed body over BULK_MAX_BODY_BYTES with 413, storing nothing', async () => {
    const before = await jobCount();
    const r = rawRequest(port, uploadHead(port, 'acme'));
    let body = '';
    for (let i = 0; body.length < 80 * 1024; i++) body += line(i);
    r.socket.write(chunk(body));
    const res = await r.response;
    r.socket.destroy();
    expect(res.status).toBe(413);
    expect(res.body).toContain('BULK_MAX_BODY_BYTES');
    expect(await jobCount()).toBe(before);
  });

  it('reads gzip-encoded uploads, counting decoded bytes against the limit', async () => {
    const post = (body: Buffer, encoding: string) =>
      t.http
        .post('/bulk-jobs?operation=update_orders_status')
        .set(auth('globex'))
        .set('Content-Type', 'application/x-ndjson')
        .set('Content-Encoding', encoding)
        .send(body);
    const ok = await post(gzipSync(line(1) + line(2) + line(3)), 'gzip');
    expect(ok.status).toBe(202);
    expect(ok.body.total_items).toBe(3);
    // 1 MiB of newlines packs into about 1 KiB: the limit is on what it decodes to.
    const bomb = await post(gzipSync(Buffer.alloc(1024 * 1024, 10)), 'gzip');
    expect(bomb.status).toBe(413);
    expect(bomb.body.detail).toContain('BULK_MAX_BODY_BYTES');
    expect((await post(Buffer.from(line(1)), 'compress')).status).toBe(415);
    expect((await post(Buffer.from('not gzip at all'), 'gzip')).status).toBe(400);
  });

  it('drops a body that stalls for UPLOAD_IDLE_TIMEOUT_MS (408), storing nothing', async () => {
    const before = await jobCount();
    const r = rawRequest(port, uploadHead(port, 'acme'));
    r.socket.write(chunk(line(1) + '{"id":"ord_2","sta'));
    const res = await r.response;
    r.socket.destroy();
    expect(res.status).toBe(408);
    expect(res.body).toContain('request_timeout');
    expect(await jobCount()).toBe(before);
  });

  it('drops a JSON body that stalls the same way, and closes its connection', async () => {
    const r = rawRequest(
      port,
      `POST /orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TENANTS.acme}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"customer_id":`,
    );
    const res = await r.response;
    r.socket.destroy();
    expect(res.status).toBe(408);
    expect(res.body).toContain('request_timeout');
    expect(res.headers).toMatch(/^connection: close$/im);
  });

  it('holds no pooled connection while uploads stream in, and caps them per tenant', async () => {
    // Three uploads of acme trickle in (TENANT_MAX_CONCURRENT_UPLOADS=3, DB_POOL_SIZE=2).
    const slow = [0, 1, 2].map(() => rawRequest(port, uploadHead(port, 'acme')));
    const trickle = setInterval(() => {
      for (const r of slow) r.socket.write(chunk(line(Math.floor(Math.random() * 1e6))));
    }, IDLE_MS / 4);
    try {
      await sleep(IDLE_MS / 2);
      // A fourth is refused at once; another tenant is not affected by acme's uploads.
      const fourth = await t.http
        .post('/bulk-jobs?operation=update_orders_status')
        .set(auth('acme'))
        .set('Content-Type', 'application/x-ndjson')
        .send(line(9));
      expect(fourth.status).toBe(429);
      expect(fourth.body.code).toBe('too_many_uploads');
      expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++) {
        expect((await t.http.get('/orders').set(auth('globex'))).status).toBe(200);
      }
      // Nothing of the app's sits in a transaction while the bodies arrive.
      const inTx = await t.pg.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND state LIKE 'idle in transaction%'`,
      );
      expect(Number(inTx.rows[0].n)).toBe(0);
    } finally {
      clearInterval(trickle);
    }
    for (const r of slow) r.socket.write('0\r\n\r\n');
    const answers = await Promise.all(slow.map((r) => r.response));
    for (const r of slow) r.socket.destroy();
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    // The slots came back with the answers.
    const next = await t.http
      .post('/bulk-jobs?operation=update_orders_status')
      .set(auth('acme'))
      .set('Content-Type', 'application/x-ndjson')
      .send(line(10));
    expect(next.status).toBe(202);
  });

  it('replays a streamed upload under Idempotency-Key and refuses other bytes under it', async () => {
    const send = (body: string) =>
      t.http
        .post('/bulk-jobs?operation=update_orders_status')
        .set(auth('globex'))
        .set('Idempotency-Key', 'upload-once')
        .set('Content-Type', 'application/x-ndjson')
        .send(body);
    const first = await send(line(1) + line(2));
    expect(first.status).toBe(202);
    const again = await send(line(1) + line(2));
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect((await send(line(1) + line(3))).status).toBe(422);
  });
});
