import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './processes';
import { sleep } from './wait';

export interface PgBouncer {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` through the pooler. */
  url(database: string): string;
  /** PgBouncer's log file plus anything it printed. */
  log(): string;
  /** Kills PgBouncer and removes its folder. Never throws. */
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  /** The server every database is forwarded to (`* = host=… port=…`). */
  host: string;
  port: number;
  poolMode: 'transaction' | 'session';
  /** `default_pool_size`: server connections per database/user pair. */
  poolSize: number;
  maxClientConn?: number;
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Debian's PgBouncer (1.18) on a free loopback port in front of one server, trust auth for the
 * `postgres` user. It refuses to run as root, so it runs as the `postgres` OS user from a temp
 * folder it owns. Returns once its admin console answers.
 *
 * Server connections are retried every second after a failed login (`server_login_retry`, 15 s by
 * default) so a pooler in front of a failing-over server does not sit out a quarter of a minute.
 * `server_reset_query` keeps its default (`DISCARD ALL`), which PgBouncer only sends in session
 * mode.
 */
export async function startPgBouncer(opts: PgBouncerOptions): Promise<PgBouncer> {
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  chownSync(dir, user.uid, user.gid);
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  const auth = join(dir, 'userlist.txt');
  const logFile = join(dir, 'pgbouncer.log');
  writeFileSync(auth, '"postgres" ""\n');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${opts.host} port=${opts.port}`,
      '',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${auth}`,
      'admin_users = postgres',
      `pool_mode = ${opts.poolMode}`,
      `default_pool_size = ${opts.poolSize}`,
      `max_client_conn = ${opts.maxClientConn ?? 500}`,
      'ignore_startup_parameters = extra_float_digits,options',
      'server_login_retry = 1',
      'server_connect_timeout = 5',
      `logfile = ${logFile}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  for (const f of [ini, auth]) chownSync(f, user.uid, user.gid);

  let out = '';
  const child: ChildProcess = spawn('pgbouncer', [ini], {
    uid: user.uid,
    gid: user.gid,
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.once('error', (e) => (out += `spawn error: ${e.message}\n`));

  const log = () => {
    let file = '';
    try {
      file = readFileSync(logFile, 'utf8');
    } catch {
      // not written yet
    }
    return file + out;
  };
  const stop = async () => {
    try {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM'); // immediate shutdown
        await Promise.race([exited, sleep(5_000)]);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await Promise.race([exited, sleep(5_000)]);
        }
      }
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when the admin console answers (it does not need the server behind it).
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const text = log();
      await stop();
      throw new Error(`pgbouncer exited during start:\n${text}`);
    }
    const c = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'pgbouncer' });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SHOW VERSION');
      break;
    } catch (e) {
      if (Date.now() > until) {
        const text = log();
        await stop();
        throw new Error(`pgbouncer did not answer in 15 s (${(e as Error).message}):\n${text}`);
      }
      await sleep(100);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  return {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    log,
    stop,
  };
}
