import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './processes';
import { sleep } from './wait';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PatroniNode {
  name: string;
  pgPort: number;
  restPort: number;
}

export interface PatroniCluster {
  /** HAProxy's port: always forwards to the node whose REST API answers 200 on `/primary`. */
  haproxyPort: number;
  /** `postgres://postgres@127.0.0.1:<haproxyPort>/<database>` */
  url(database: string): string;
  nodes: PatroniNode[];
  /** Name of the node whose Patroni reports the primary role (`GET /patroni`), if any. */
  primary(): Promise<string | undefined>;
  /** Waits for a primary that also answers SQL through HAProxy; `at` is when it was first seen. */
  waitForPrimary(timeoutMs: number): Promise<{ name: string; at: number }>;
  /**
   * SIGKILLs the primary's Patroni and its postmaster (and the postmaster's children, as a crashed
   * host would). `at` is the time of the kill.
   */
  killPrimary(): Promise<{ name: string; at: number }>;
  /** `CREATE DATABASE` on the primary (through HAProxy). */
  createDatabase(name: string): Promise<void>;
  /** Everything etcd, the Patroni nodes (with their Postgres logs) and HAProxy printed. */
  log(): string;
  /** Kills every process of the cluster and removes its folders. Never throws. */
  destroy(): Promise<void>;
}

interface Spawned {
  name: string;
  child: ChildProcess;
  out: string;
  exited: Promise<void>;
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

function spawnLogged(
  name: string,
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Spawned {
  const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  const s: Spawned = {
    name,
    child,
    out: '',
    exited: new Promise((ok) => child.once('exit', () => ok())),
  };
  child.stdout?.on('data', (d: Buffer) => (s.out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (s.out += d.toString()));
  child.once('error', (e) => (s.out += `spawn error: ${e.message}\n`));
  return s;
}

/** The postmaster's pid from `postmaster.pid`, if that process still runs on this data dir. */
function postmasterPid(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    return cmdline.includes(dataDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pids of every process below `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'latin1');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so cut after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(d), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

const kill = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
};

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A SIGKILLed postmaster leaves its small System V segment behind; removes it (only a segment with
 * the key written in that data dir's `postmaster.pid` and no process attached).
 */
function removeStaleShmem(dataDir: string): void {
  try {
    const line = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[6] ?? '';
    const [key, id] = line.trim().split(/\s+/).map(Number);
    if (!key || !id) return;
    for (const row of readFileSync('/proc/sysvipc/shm', 'utf8').split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      if (Number(cols[0]) === key && Number(cols[1]) === id && Number(cols[6]) === 0)
        execFileSync('ipcrm', ['-m', String(id)], { stdio: 'ignore' });
    }
  } catch {
    // nothing to remove
  }
}

async function getJson(port: number, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(2_000),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

async function query<T>(connectionString: string, sql: string): Promise<T[]> {
  const c = new Client({ connectionString, connectionTimeoutMillis: 3_000 });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * A two-node Patroni 3.0 cluster of PostgreSQL 15 on loopback, the way the machine's Debian
 * packages run it: one etcd 3.4 as the DCS, two Patroni nodes (run as the `postgres` OS user) with
 * synchronous replication, and HAProxy forwarding TCP to whichever node's REST API answers 200 on
 * `GET /primary`. Everything lives in one temp folder; nothing listens outside 127.0.0.1.
 *
 * Timeouts are short (`ttl` 10 s, `loop_wait` 2 s, `retry_timeout` 5 s): after the primary's
 * Patroni dies the replica takes over once the leader key expires, about ten seconds later.
 * Returns when a leader, a streaming synchronous replica and a connection through HAProxy all work.
 */
export async function startPatroniCluster(): Promise<PatroniCluster> {
  const user = postgresUser();
  const dir = mkdtempSync(join(tmpdir(), 'patroni-'));
  chownSync(dir, user.uid, user.gid);
  const scope = `pgfo_${randomBytes(4).toString('hex')}`;
  const procs: Spawned[] = [];
  const dataDirs: string[] = [];
  const env = { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8' };

  const [etcdClient, etcdPeer, haproxyPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const nodes: PatroniNode[] = [];
  for (const name of ['pg0', 'pg1'])
    nodes.push({ name, pgPort: await freePort(), restPort: await freePort() });
  const patroni = new Map<string, Spawned>();

  const log = () => procs.map((p) => `----- ${p.name} -----\n${p.out}`).join('\n');

  let destroyed = false;
  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    try {
      // Patroni first, so that nobody restarts a Postgres we are stopping.
      for (const p of patroni.values()) if (alive(p.child)) p.child.kill('SIGKILL');
      await Promise.race([Promise.all([...patroni.values()].map((p) => p.exited)), sleep(5_000)]);
      // Immediate shutdown (SIGQUIT) frees the shared memory; SIGKILL whatever is left after 5 s.
      const postmasters = dataDirs
        .map((d) => postmasterPid(d))
        .filter((p): p is number => p !== undefined);
      for (const pid of postmasters) kill(pid, 'SIGQUIT');
      const until = Date.now() + 5_000;
      while (postmasters.some(pidAlive) && Date.now() < until) await sleep(100);
      for (const pid of postmasters) {
        for (const c of descendants(pid)) kill(c, 'SIGKILL');
        kill(pid, 'SIGKILL');
      }
      for (const p of procs) if (alive(p.child)) p.child.kill('SIGKILL');
      await Promise.race([Promise.all(procs.map((p) => p.exited)), sleep(5_000)]);
      await sleep(200);
      for (const d of dataDirs) removeStaleShmem(d);
    } catch {
      // best effort
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const rest = async (node: PatroniNode, path: string) => getJson(node.restPort, path);

  const primary = async (): Promise<string | undefined> => {
    const answers = await Promise.all(
      nodes.map(async (n) => {
        try {
          const { body } = await rest(n, '/patroni');
          const b = body as { role?: string; state?: string };
          return ['master', 'primary'].includes(b.role ?? '') && b.state === 'running'
            ? n.name
            : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    return answers.find(Boolean);
  };

  const url = (database: string) => `postgres://postgres@127.0.0.1:${haproxyPort}/${database}`;

  const waitForPrimary = async (timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    let seen: { name: string; at: number } | undefined;
    let last = '';
    for (;;) {
      const name = await primary();
      if (name && seen?.name !== name) seen = { name, at: Date.now() };
      if (!name) seen = undefined;
      if (seen) {
        try {
          const [row] = await query<{ r: boolean }>(
            url('postgres'),
            'SELECT pg_is_in_recovery() AS r',
          );
          if (row && !row.r) return seen;
          last = 'the server behind HAProxy is in recovery';
        } catch (e) {
          last = `HAProxy: ${(e as Error).message}`;
        }
      } else last = 'no node reports the primary role';
      if (Date.now() > until)
        throw new Error(`no primary within ${timeoutMs} ms (${last})\n${log().slice(-6000)}`);
      await sleep(100);
    }
  };

  try {
    // --- etcd -------------------------------------------------------------------------------
    const etcdDir = join(dir, 'etcd');
    mkdirSync(etcdDir);
    const etcdEnv: NodeJS.ProcessEnv = { ...env };
    const etcd = spawnLogged(
      'etcd',
      'etcd',
      [
        '--name',
        'etcd0',
        '--data-dir',
        etcdDir,
        '--listen-client-urls',
        `http://127.0.0.1:${etcdClient}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${etcdClient}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${etcdPeer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${etcdPeer}`,
        '--initial-cluster',
        `etcd0=http://127.0.0.1:${etcdPeer}`,
        '--initial-cluster-token',
        scope,
        '--initial-cluster-state',
        'new',
        '--enable-v2=false',
        '--log-level',
        'warn',
      ],
      { cwd: dir, env: etcdEnv },
    );
    procs.push(etcd);
    for (const until = Date.now() + 15_000; ;) {
      if (!alive(etcd.child)) throw new Error('etcd exited during start');
      const ok = await getJson(etcdClient, '/health')
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > until) throw new Error('etcd did not answer /health in 15 s');
      await sleep(100);
    }

    // --- Patroni nodes ----------------------------------------------------------------------
    for (const node of nodes) {
      const nodeDir = join(dir, node.name);
      mkdirSync(nodeDir, { mode: 0o700 });
      chownSync(nodeDir, user.uid, user.gid);
      const dataDir = join(nodeDir, 'data');
      dataDirs.push(dataDir);
      const auth = { username: 'postgres', password: 'postgres' };
      const config = {
        scope,
        namespace: '/service/',
        name: node.name,
        log: { level: 'INFO' },
        restapi: {
          listen: `127.0.0.1:${node.restPort}`,
          connect_address: `127.0.0.1:${node.restPort}`,
        },
        etcd3: { host: `127.0.0.1:${etcdClient}` },
        bootstrap: {
          dcs: {
            ttl: 10,
            loop_wait: 2,
            retry_timeout: 5,
            maximum_lag_on_failover: 1048576,
            synchronous_mode: true,
            postgresql: {
              use_pg_rewind: true,
              use_slots: true,
              parameters: {
                wal_level: 'replica',
                hot_standby: 'on',
                max_connections: 200,
                max_wal_senders: 10,
                max_replication_slots: 10,
                wal_keep_size: '128MB',
                fsync: 'off',
                synchronous_commit: 'on',
                full_page_writes: 'on',
                wal_log_hints: 'on',
              },
            },
          },
          initdb: [{ encoding: 'UTF8' }, { 'auth-local': 'trust' }, { 'auth-host': 'trust' }],
        },
        postgresql: {
          listen: `127.0.0.1:${node.pgPort}`,
          connect_address: `127.0.0.1:${node.pgPort}`,
          data_dir: dataDir,
          bin_dir: BIN,
          pgpass: join(nodeDir, 'pgpass'),
          authentication: { superuser: auth, replication: auth, rewind: auth },
          parameters: { unix_socket_directories: nodeDir, fsync: 'off' },
          pg_hba: [
            'local all all trust',
            'local replication all trust',
            'host all all 127.0.0.1/32 trust',
            'host replication all 127.0.0.1/32 trust',
          ],
        },
        tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
      };
      const file = join(nodeDir, 'patroni.yml');
      // JSON is YAML.
      writeFileSync(file, JSON.stringify(config, null, 2));
      chownSync(file, user.uid, user.gid);
      const p = spawnLogged(node.name, 'patroni', [file], {
        cwd: nodeDir,
        env,
        uid: user.uid,
        gid: user.gid,
      });
      procs.push(p);
      patroni.set(node.name, p);
      // The first node bootstraps alone; the second then clones it instead of racing for the key.
      if (node === nodes[0]) await waitForRole(node, ['master', 'primary'], 45_000);
    }

    // --- HAProxy ----------------------------------------------------------------------------
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(
      cfg,
      [
        'global',
        '  maxconn 2000',
        '  log stdout format raw local0 info',
        'defaults',
        '  mode tcp',
        '  log global',
        '  option tcplog',
        '  timeout connect 2s',
        '  timeout client 30m',
        '  timeout server 30m',
        '  timeout check 1s',
        'listen postgres',
        `  bind 127.0.0.1:${haproxyPort}`,
        '  option httpchk GET /primary',
        '  http-check expect status 200',
        '  default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions',
        ...nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.pgPort} check port ${n.restPort}`),
        '',
      ].join('\n'),
    );
    procs.push(spawnLogged('haproxy', 'haproxy', ['-db', '-f', cfg], { cwd: dir, env }));

    // --- ready: leader + streaming sync replica + SQL through HAProxy ------------------------
    const until = Date.now() + 90_000;
    let last = '';
    for (;;) {
      for (const p of procs) if (!alive(p.child)) throw new Error(`${p.name} exited during start`);
      try {
        const { body } = await rest(nodes[0], '/cluster');
        const members =
          (body as { members?: { name: string; role: string; state: string }[] }).members ?? [];
        const leader = members.find((m) => m.role === 'leader' && m.state === 'running');
        const sync = members.find(
          (m) => m.role === 'sync_standby' && /running|streaming/.test(m.state),
        );
        if (leader && sync) {
          const leaderNode = nodes.find((n) => n.name === leader.name)!;
          const rows = await query<{ state: string; sync_state: string }>(
            `postgres://postgres@127.0.0.1:${leaderNode.pgPort}/postgres`,
            'SELECT state, sync_state FROM pg_stat_replication',
          );
          if (rows.some((r) => r.state === 'streaming' && r.sync_state === 'sync')) {
            await waitForPrimary(Math.max(1_000, until - Date.now()));
            break;
          }
          last = `pg_stat_replication: ${JSON.stringify(rows)}`;
        } else last = `members: ${JSON.stringify(members)}`;
      } catch (e) {
        last = (e as Error).message;
      }
      if (Date.now() > until) throw new Error(`cluster not ready in 90 s (${last})`);
      await sleep(250);
    }
  } catch (e) {
    const text = log();
    await destroy();
    throw new Error(`${(e as Error).message}\n${text.slice(-8000)}`);
  }

  async function waitForRole(node: PatroniNode, roles: string[], timeoutMs: number) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const p = patroni.get(node.name)!;
      if (!alive(p.child)) throw new Error(`patroni ${node.name} exited`);
      const b: { role?: string; state?: string } = await rest(node, '/patroni')
        .then((r) => r.body as { role?: string; state?: string })
        .catch(() => ({}));
      if (roles.includes(b.role ?? '') && b.state === 'running') return;
      if (Date.now() > until)
        throw new Error(`${node.name} is not ${roles.join('/')} after ${timeoutMs} ms`);
      await sleep(200);
    }
  }

  return {
    haproxyPort,
    url,
    nodes,
    primary,
    waitForPrimary,
    killPrimary: async () => {
      const name = await primary();
      if (!name) throw new Error('killPrimary: no node reports the primary role');
      const dataDir = dataDirs[nodes.findIndex((n) => n.name === name)];
      const pm = postmasterPid(dataDir);
      if (pm === undefined) throw new Error(`killPrimary: no postmaster running on ${dataDir}`);
      const children = descendants(pm);
      const at = Date.now();
      patroni.get(name)!.child.kill('SIGKILL');
      kill(pm, 'SIGKILL');
      for (const c of children) kill(c, 'SIGKILL');
      return { name, at };
    },
    createDatabase: async (name: string) => {
      if (!/^\w+$/.test(name)) throw new Error(`refusing database name ${name}`);
      await query(url('postgres'), `CREATE DATABASE ${name}`);
    },
    log,
    destroy,
  };
}
