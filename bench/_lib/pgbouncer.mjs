// A private PgBouncer for a bench, in front of the local Postgres:
//
//   const bouncer = await start({ poolSize: 20, mode: 'transaction' });
//   bouncer.url('mydb')   // postgres://postgres@127.0.0.1:<port>/mydb
//   bouncer.pid           // for CPU accounting
//   await bouncer.stop();
//
// PgBouncer (Debian's `pgbouncer`, 1.18+) refuses to run as root, so its ini, auth file, log and pid
// file go to a temp dir owned by `postgres` and it is spawned with postgres's uid/gid when the bench
// runs as root. Trust auth, every database forwarded to BENCH_PG_HOST:BENCH_PG_PORT (default
// 127.0.0.1:5432). Stopped by its pid (SIGINT, then SIGKILL); the temp dir is removed.
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './proc.mjs';

const PG_HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1';
const PG_PORT = process.env.BENCH_PG_PORT ?? '5432';

function binary() {
  for (const p of [process.env.PGBOUNCER_BIN, '/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) {
    if (!p) continue;
    try {
      execFileSync(p, ['--version'], { stdio: 'ignore' });
      return p;
    } catch {
      /* next */
    }
  }
  throw new Error('pgbouncer not found (apt-get install -y pgbouncer, or set PGBOUNCER_BIN)');
}

/** uid/gid of `user` from /etc/passwd, or null. */
function ids(user) {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function version(bin) {
  const m = /PgBouncer (\S+)/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8' }));
  return m ? m[1] : null;
}

async function waitForPort(port, isAlive, logFile, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) break;
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  let tail = '';
  try {
    tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    /* no log */
  }
  throw new Error(`pgbouncer did not listen on ${port}:\n${tail}`);
}

/**
 * Starts PgBouncer with `default_pool_size = poolSize` and `pool_mode = mode`; `settings` adds or
 * overrides [pgbouncer] lines (e.g. { max_client_conn: 1000 }).
 */
export async function start({ poolSize = 20, mode = 'transaction', settings = {} } = {}) {
  const bin = binary();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-pgbouncer-'));
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? ids('postgres') : null;
  if (asRoot && !owner) throw new Error('PgBouncer refuses root and there is no postgres user');
  const conf = {
    listen_addr: '127.0.0.1',
    listen_port: port,
    unix_socket_dir: '',
    auth_type: 'trust',
    auth_file: join(dir, 'userlist.txt'),
    pool_mode: mode,
    default_pool_size: poolSize,
    max_client_conn: 500,
    ignore_startup_parameters: 'extra_float_digits,options',
    logfile: join(dir, 'pgbouncer.log'),
    pidfile: join(dir, 'pgbouncer.pid'),
    admin_users: 'postgres',
    ...settings,
  };
  const ini = [
    '[databases]',
    `* = host=${PG_HOST} port=${PG_PORT}`,
    '',
    '[pgbouncer]',
    ...Object.entries(conf).map(([k, v]) => `${k} = ${v}`),
    '',
  ].join('\n');
  const iniFile = join(dir, 'pgbouncer.ini');
  writeFileSync(iniFile, ini);
  writeFileSync(conf.auth_file, '"postgres" ""\n');
  if (owner) for (const f of [dir, iniFile, conf.auth_file]) chownSync(f, owner.uid, owner.gid);

  const child = spawn(bin, [iniFile], {
    stdio: 'ignore',
    ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  const onExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.on('exit', onExit);
  try {
    await waitForPort(port, () => !exited, conf.logfile);
  } catch (e) {
    onExit();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  return {
    pid: child.pid,
    port,
    version: version(bin),
    ini,
    logFile: conf.logfile,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    async stop() {
      process.off('exit', onExit);
      if (!exited) {
        await new Promise((resolve) => {
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          child.kill('SIGINT'); // safe shutdown: waits for clients' transactions to end
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
