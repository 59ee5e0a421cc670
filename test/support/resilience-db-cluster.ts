import { execFile, execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './processes';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PrivateCluster {
  port: number;
  dir: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database: string): string;
  /** `pg_ctl start -w` (the cluster must be stopped). */
  start(): Promise<void>;
  /** `pg_ctl stop -m <mode> -w`. */
  stop(mode?: 'smart' | 'fast' | 'immediate'): Promise<void>;
  /** The server log (`-l` file of pg_ctl). */
  log(): string;
  /** Stops the server if it runs and removes the data directory. Never throws. */
  destroy(): Promise<void>;
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A throw-away PostgreSQL 15 cluster (initdb + pg_ctl from Debian's binaries) on a free loopback
 * port, run as the `postgres` OS user, trust auth, data in a fresh temp directory. Unlike the
 * machine's shared server it may be stopped and started at will.
 */
export async function createPrivateCluster(): Promise<PrivateCluster> {
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'resilience-db-'));
  chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  const run = (cmd: string, args: string[], timeoutMs = 60_000) =>
    new Promise<string>((ok, fail) => {
      execFile(
        join(BIN, cmd),
        args,
        {
          uid: user.uid,
          gid: user.gid,
          cwd: dir,
          timeout: timeoutMs,
          env: { PATH: process.env.PATH },
        },
        (err, stdout, stderr) => {
          if (err)
            fail(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
          else ok(stdout + stderr);
        },
      );
    });
  const pgCtl = (...args: string[]) => run('pg_ctl', ['-D', data, ...args]);
  let running = false;

  await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const cluster: PrivateCluster = {
    port,
    dir,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: async () => {
      await pgCtl(
        '-l',
        logFile,
        '-w',
        '-t',
        '60',
        '-o',
        `-k /tmp -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off`,
        'start',
      );
      running = true;
    },
    stop: async (mode = 'fast') => {
      await pgCtl('-m', mode, '-w', '-t', '60', 'stop');
      running = false;
    },
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    destroy: async () => {
      if (running) await cluster.stop('immediate').catch(() => undefined);
      // Whatever pg_ctl thinks: make sure no postmaster of ours survives before the files go.
      await pgCtl('status')
        .then(() => cluster.stop('immediate'))
        .catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
    const admin = new Client({ connectionString: cluster.url('postgres') });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE app');
    } finally {
      await admin.end();
    }
  } catch (e) {
    await cluster.destroy();
    throw e;
  }
  return cluster;
}
