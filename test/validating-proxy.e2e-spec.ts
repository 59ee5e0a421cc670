import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAside } from './support/openapi-validator';
import { freePort } from './support/processes';
import { startValidatingProxy, type ValidatingProxy } from './support/validating-proxy';

/** A stand-in for a service process, answering what the proxy must carry (or fail) faithfully. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/orders/ord_teapot') {
    res.writeHead(418, { 'content-type': 'text/plain', 'x-seen': String(req.headers['x-probe']) });
    res.end('short and stout');
  } else if (req.url === '/echo') {
    res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked: no length
    req.pipe(res);
  } else if (req.url === '/cut') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
    res.write('ten bytes!', () => res.socket?.destroy());
  } else {
    res.writeHead(404).end();
  }
}

describe('validating proxy in front of a process', () => {
  let target: Server;
  let proxy: ValidatingProxy;
  beforeAll(async () => {
    target = createServer(handle);
    await new Promise<void>((ok) => target.listen(0, '127.0.0.1', ok));
    proxy = await startValidatingProxy(
      `http://127.0.0.1:${(target.address() as AddressInfo).port}`,
    );
  });
  afterAll(async () => {
    await proxy?.close();
    target?.closeAllConnections();
    await new Promise((ok) => target?.close(ok));
  });

  it('passes request and answer through unchanged, and checks the answer before the client has it', async () => {
    let res!: Response;
    let text = '';
    const found = await recordAside(async () => {
      res = await fetch(`${proxy.base}/orders/ord_teapot`, { headers: { 'X-Probe': 'p1' } });
      text = await res.text();
    });
    expect(res.status).toBe(418);
    expect(res.headers.get('x-seen')).toBe('p1');
    expect(text).toBe('short and stout');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^GET \/orders\/ord_teapot → 418: status 418 is not documented/);
  });

  it('streams a large request body and a chunked answer both ways', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'abc');
    let res!: Response;
    let echoed = Buffer.alloc(0);
    const found = await recordAside(async () => {
      res = await fetch(`${proxy.base}/echo`, { method: 'POST', body });
      echoed = Buffer.from(await res.arrayBuffer());
    });
    // Checked like every answer: the stand-in's route is in no document.
    expect(found.map((f) => f.split('\n')[0])).toEqual([
      'POST /echo → 200: POST /echo is no documented operation',
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(echoed.equals(body)).toBe(true);
  });

  it('cuts the answer when the process drops the connection mid-body', async () => {
    const found = await recordAside(async () => {
      const res = await fetch(`${proxy.base}/cut`);
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    });
    // An answer cut short is no answer: nothing to check (the client saw the failure).
    expect(found).toEqual([]);
  });

  it('resets the client connection, never a made-up 502, when the process is not there', async () => {
    const dead = await startValidatingProxy(`http://127.0.0.1:${await freePort()}`);
    try {
      const outcome = await fetch(`${dead.base}/orders`).then(
        (r) => `HTTP ${r.status}`,
        (e: Error & { cause?: { code?: string } }) => `network error ${e.cause?.code ?? ''}`,
      );
      expect(outcome).toMatch(/^network error/);
    } finally {
      await dead.close();
    }
  });
});
