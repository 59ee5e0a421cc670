import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { onTestFailed } from 'vitest';

export const ROOT = resolve(__dirname, '..', '..');
export const API_MAIN = resolve(ROOT, 'dist/apps/api/src/main.js');
export const WORKER_MAIN = resolve(ROOT, 'dist/apps/worker/src/main.js');

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export interface Proc {
  child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  exited(timeoutMs?: number): Promise<number | null>;
}

/** Spawns a process and keeps its combined output for assertions. */
export function start(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Proc {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd ?? ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return {
    child,
    output: () => out,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((ok, fail) => {
        const check = () => {
          if (pattern.test(out)) {
            listeners.delete(check);
            clearTimeout(timer);
            ok();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          fail(new Error(`timed out waiting for ${pattern} in output:\n${out.slice(-3000)}`));
        }, timeoutMs);
        listeners.add(check);
        void exit.then(() => {
          if (!pattern.test(out)) {
            listeners.delete(check);
            clearTimeout(timer);
            fail(new Error(`process exited before ${pattern}; output:\n${out.slice(-3000)}`));
          }
        });
        check();
      }),
    exited: (timeoutMs = 30_000) =>
      Promise.race([
        exit,
        new Promise<number | null>((_, fail) =>
          setTimeout(
            () => fail(new Error(`process did not exit; output:\n${out.slice(-3000)}`)),
            timeoutMs,
          ),
        ),
      ]),
  };
}

/** A private, non-persistent redis-server on a free loopback port (never the machine's shared one). */
export async function startPrivateRedis(
  port?: number,
): Promise<{ url: string; port: number; proc: Proc; stop(): Promise<void> }> {
  const p = port ?? (await freePort());
  const proc = start('redis-server', [
    '--port',
    String(p),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
  await proc.waitFor(/Ready to accept connections/i, 10_000);
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    proc,
    stop: async () => {
      proc.child.kill('SIGKILL');
      await proc.exited(10_000);
    },
  };
}

/** Still running (neither exited nor killed by a signal). */
export const isAlive = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;

/** SIGTERM each process that still runs, SIGKILL what has not exited 15 s later. */
export async function stopProcesses(...procs: (Proc | undefined)[]): Promise<void> {
  for (const p of procs) {
    if (!p || !isAlive(p)) continue;
    p.child.kill('SIGTERM');
    await p.exited(15_000).catch(() => p.child.kill('SIGKILL'));
  }
}

/** When the current test fails: the last 40 lines of each named output (process logs and the like). */
export function dumpOnFailure(outputs: Record<string, () => string>): void {
  onTestFailed(() => {
    for (const [name, output] of Object.entries(outputs)) {
      const lines = output().trim().split('\n');
      console.log(
        `--- ${name}, last 40 of ${lines.length} lines ---\n${lines.slice(-40).join('\n')}`,
      );
    }
  });
}
