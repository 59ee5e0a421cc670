import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { recordResponse } from './openapi-validator';

export interface ValidatingProxy {
  /** `http://127.0.0.1:<port>`: use it wherever the test would use the process's own base. */
  base: string;
  close(): Promise<void>;
}

/**
 * A loopback reverse proxy in front of a spawned service process. Requests are forwarded as they
 * come (method, path, headers, streamed body) and answers streamed back unchanged; once an answer is
 * complete it is checked against openapi.json like those of createTestApp, so a mismatch fails the
 * test that caused it (test/support/openapi-setup.ts) and the run's coverage counts it.
 *
 * Faults stay visible as they would be without the proxy: each client connection has an upstream
 * connection of its own (keep-alive and `Connection: close` behave alike), an upstream that cannot
 * be reached or drops the connection resets the client's socket (never a made-up 502), and a
 * client that goes away aborts the upstream request.
 */
export async function startValidatingProxy(targetBase: string): Promise<ValidatingProxy> {
  const target = new URL(targetBase);
  const agents = new Map<Socket, Agent>();
  const agentFor = (socket: Socket): Agent => {
    let agent = agents.get(socket);
    if (!agent) {
      const own = new Agent({ keepAlive: true, maxSockets: 1 });
      agents.set(socket, own);
      socket.once('close', () => {
        own.destroy();
        agents.delete(socket);
      });
      agent = own;
    }
    return agent;
  };

  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const upstream = request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent: agentFor(req.socket),
    });
    upstream.on('response', (answer) => {
      const chunks: Buffer[] = [];
      const status = answer.statusCode ?? 0;
      res.writeHead(status, answer.statusMessage, answer.rawHeaders);
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.pipe(res, { end: false });
      answer.on('end', () => {
        // Before the client can see the end, so the mismatch belongs to the awaiting test.
        recordResponse({
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          status,
          headers: answer.headers,
          body: Buffer.concat(chunks),
        });
        res.end();
      });
      answer.on('error', () => undefined); // reported by 'close' below
      answer.on('close', () => {
        if (!answer.complete) res.destroy(); // cut mid-body upstream: cut it here too
      });
    });
    upstream.on('error', () => {
      if (!res.headersSent) req.socket.resetAndDestroy();
      else if (!res.writableEnded) res.destroy();
    });
    res.on('error', () => undefined); // a client that went away; 'close' below handles it
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer({ requestTimeout: 0 }, forward);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      for (const agent of agents.values()) agent.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
