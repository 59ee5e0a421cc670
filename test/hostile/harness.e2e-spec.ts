import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collidingIds, fnv1a } from '../support/fnv-collisions';
import { stall, trickle } from '../support/hostile-bodies';
import { rawRequest, repeated } from '../support/raw-http';

/*
 * The hostile suite's own tools, against a stub server: an attack's answer must be classified
 * right (an early refusal is an answer, not a reset), or the suite would report the wrong thing.
 */
describe('hostile-suite harness', () => {
  let server: Server;
  let base: string;
  const done = new AbortController();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const problem = (status: number, code: string) => {
        res.writeHead(status, { 'Content-Type': 'application/problem+json', Connection: 'close' });
        res.end(JSON.stringify({ status, code }), () => req.socket.destroy());
      };
      if (req.url === '/refuse-at-once') return problem(413, 'payload_too_large');
      if (req.url === '/hang-up') return void setTimeout(() => req.socket.destroy(), 200);
      if (req.url === '/never') return void req.resume();
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    done.abort();
    server.closeAllConnections();
    server.close();
  });

  it('keeps an answer that came while the body was still being sent', async () => {
    const big = repeated(Buffer.alloc(1024 * 1024, 'a'), 64);
    const a = await rawRequest(base, { path: '/refuse-at-once', body: big, deadlineMs: 5_000 });
    expect(a).toMatchObject({ status: 413, bodySent: false, json: { code: 'payload_too_large' } });
    const slow = trickle('t', 5, 1_000, done.signal);
    const b = await rawRequest(base, { path: '/refuse-at-once', body: slow, deadlineMs: 5_000 });
    expect(b).toMatchObject({ status: 413, bodySent: false });
  });

  it('tells a hang-up, a missed deadline and a whole exchange apart', async () => {
    const hangUp = await rawRequest(base, {
      path: '/hang-up',
      body: stall('{"id', done.signal),
      deadlineMs: 5_000,
    });
    expect(hangUp.status).toBeUndefined();
    expect(['reset', 'closed']).toContain(hangUp.failure);
    const never = await rawRequest(base, {
      path: '/never',
      body: stall('{"id', done.signal),
      deadlineMs: 300,
    });
    expect(never).toMatchObject({ failure: 'deadline', bodySent: false });
    const whole = await rawRequest(base, { path: '/ok', body: ['{"id":1}\n'], deadlineMs: 5_000 });
    expect(whole).toMatchObject({ status: 200, body: 'ok', bodySent: true });
  });

  it('builds distinct ids that share one 32-bit FNV-1a hash', () => {
    const ids = collidingIds(3);
    expect(new Set(ids).size).toBe(8);
    expect(ids.every((id) => id.length === 15)).toBe(true);
    expect(new Set(ids.map((id) => fnv1a(id))).size).toBe(1);
  });
});
