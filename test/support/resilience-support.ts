import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { API_MAIN, WORKER_MAIN } from './processes';

const isNestBuild = (pid: string) => {
  try {
    return /nest(\0| )build\b/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
  } catch {
    return false;
  }
};

/**
 * Other people rebuild the service while tests run (`nest build` empties dist/ first). Waits until no
 * build is running and both entry points exist, so a spawned process never finds half a dist/.
 */
export async function waitForBuiltDist(timeoutMs = 180_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const building = readdirSync('/proc').some((d) => /^\d+$/.test(d) && isNestBuild(d));
    if (!building && existsSync(API_MAIN) && existsSync(WORKER_MAIN)) return;
    if (Date.now() > until)
      throw new Error(`dist/ not ready after ${timeoutMs} ms (a build is running or failed)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Local TCP ports of the sockets a process holds open (Linux /proc). Lets a test tell which of its
 * child processes owns a Postgres backend (`pg_stat_activity.client_port`).
 */
export function localPortsOf(pid: number): Set<number> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return new Set(); // the process is gone
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || !inodes.has(cols[9])) continue;
      ports.add(parseInt(cols[1].split(':')[1], 16));
    }
  }
  return ports;
}

export type HttpOutcome =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'error'; code: string; message: string; reusedSocket: boolean; bytesReceived: number };

/**
 * One HTTP request over a keep-alive agent. Never rejects: a transport failure comes back as an
 * outcome with its code (ECONNREFUSED, ECONNRESET, EPIPE, …) and whether the socket was a reused one.
 */
export function httpCall(
  agent: Agent,
  port: number,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: string,
  timeoutMs = 15_000,
): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    let received = 0;
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers });
    const fail = (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      resolve({
        kind: 'error',
        code: e.code ?? e.message,
        message: e.message,
        reusedSocket: req.reusedSocket,
        bytesReceived: received,
      });
    };
    req.setTimeout(timeoutMs, () => {
      const e: NodeJS.ErrnoException = new Error(`client timeout after ${timeoutMs} ms`);
      e.code = 'CLIENT_TIMEOUT';
      req.destroy(e);
    });
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        received += c.length;
        chunks.push(c);
      });
      res.on('error', fail);
      res.on('aborted', () => {
        const e: NodeJS.ErrnoException = new Error('response aborted mid-body');
        e.code = 'RESPONSE_ABORTED';
        fail(e);
      });
      res.on('end', () => {
        if (settled) return;
        if (!res.complete) {
          const e: NodeJS.ErrnoException = new Error('response ended incomplete');
          e.code = 'RESPONSE_INCOMPLETE';
          fail(e);
          return;
        }
        settled = true;
        resolve({
          kind: 'response',
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
        });
      });
    });
    req.end(body);
  });
}
