// A server process a bench starts — the service's API from a build, or a peer app — on a free
// port, with its output in a log file, ready once GET `readyPath` answers 2xx, stopped by its pid.
//
//   const api = await startServer({ name: 'api', args: [apiMain(dist)], env: serviceEnv({...}), logDir });
//   api.base          // http://127.0.0.1:<port>
//   await api.restartIfDead('round 2');   // a crash or a kill from outside: recorded, started again
//   await api.stop();
import { mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './env.mjs';
import { waitForHttp } from './http.mjs';
import { freePort, startProcess, stopProcess } from './proc.mjs';
import { REDIS_URL } from './redis.mjs';

/** The API's entry point in a build (`dist/` or a copy of it). */
export const apiMain = (dist) => join(dist, 'apps/api/src/main.js');
export const workerMain = (dist) => join(dist, 'apps/worker/src/main.js');

/** The last `n` lines of a log file ('' when there is none). */
export function logTail(file, n = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/**
 * The settings every bench runs the service with: its own database and Bull prefix, one tenant
 * per `apiKeys` entry (`tenant:key`), workers off and warnings only unless `over` says otherwise.
 */
export function serviceEnv({ databaseUrl, prefix, apiKeys = 'bench:bench-key', ...over }) {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    BULL_PREFIX: prefix,
    API_KEYS: apiKeys,
    CURSOR_SECRET: 'bench-cursor-secret',
    WEBHOOK_SECRET: 'whsec_YmVuY2gtYmVuY2gtYmVuY2gtYmVuY2g=',
    RUN_WORKERS: 'false',
    LOG_LEVEL: 'warn',
    ...over,
  };
}

/**
 * Starts `node <args>` with `env` on top of this process's environment (or alone with
 * `inherit: false`) and PORT set, and waits until it is ready. Logs go to
 * `<logDir>/<name>.log`, then `<name>.2.log`… for restarts.
 */
export async function startServer({
  name,
  args,
  env = {},
  logDir,
  readyPath = '/health/ready',
  port,
  timeoutMs = 90_000,
  inherit = true,
}) {
  const server = { name, args, starts: 0, deaths: [], logFiles: [] };
  server.port = port ?? (await freePort());
  server.base = `http://127.0.0.1:${server.port}`;
  server.env = { ...(inherit ? process.env : {}), ...env, PORT: String(server.port) };

  server.start = async () => {
    server.starts++;
    mkdirSync(logDir, { recursive: true });
    const logFile = join(
      logDir,
      server.starts === 1 ? `${name}.log` : `${name}.${server.starts}.log`,
    );
    server.logFiles.push(logFile);
    server.handle = startProcess(name, args, { cwd: ROOT, env: server.env, logFile });
    try {
      await waitForHttp(`${server.base}${readyPath}`, {
        timeoutMs,
        isAlive: server.handle.isAlive,
      });
    } catch (e) {
      await stopProcess(server.handle);
      throw new Error(
        `${name} did not become ready: ${e.message}; log ${relative(ROOT, logFile)}:\n${logTail(logFile)}`,
      );
    }
  };

  server.stop = () => stopProcess(server.handle);

  /** When the process died (a crash, or a kill from outside): records the death, starts it again, true. */
  server.restartIfDead = async (during, maxDeaths = 3) => {
    const { handle } = server;
    if (!handle.exited) return false;
    server.deaths.push({
      name,
      pid: handle.pid,
      exit: handle.exitInfo,
      at: handle.exitedAt,
      during,
      logTail: logTail(server.logFiles.at(-1), 15),
    });
    if (server.deaths.length > maxDeaths)
      throw new Error(`${name} died ${server.deaths.length} times; giving up`);
    await server.start();
    return true;
  };

  await server.start();
  return server;
}
