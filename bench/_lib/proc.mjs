// Child processes started by a bench: spawned with their output in a log file, tracked by pid, and
// stopped individually (SIGTERM, then SIGKILL) — never by name.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import net from 'node:net';

const children = new Set();

export function startProcess(name, args, { env, cwd, logFile }) {
  const log = createWriteStream(logFile, { flags: 'w' });
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const handle = {
    name,
    child,
    pid: child.pid,
    logFile,
    exited: false,
    stopping: false,
    exitInfo: null,
    isAlive: () => !handle.exited,
  };
  child.on('exit', (code, signal) => {
    handle.exited = true;
    handle.exitInfo = { code, signal };
    handle.exitedAt = new Date().toISOString();
    children.delete(handle);
    if (!handle.stopping) {
      console.error(`[proc] ${name} (pid ${child.pid}) exited unexpectedly: ${signal ? `signal ${signal}` : `exit code ${code}`}; log: ${logFile}`);
    }
  });
  children.add(handle);
  return handle;
}

export function stopProcess(handle, graceMs = 8000) {
  if (!handle || handle.exited) return Promise.resolve();
  handle.stopping = true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (!handle.exited) handle.child.kill('SIGKILL');
    }, graceMs);
    handle.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    handle.child.kill('SIGTERM');
  });
}

export async function stopAll() {
  await Promise.all([...children].map((h) => stopProcess(h)));
}

/** Synchronous last resort on process exit. */
export function killAllSync() {
  for (const h of children) {
    h.stopping = true;
    try {
      h.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
