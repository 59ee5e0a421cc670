import Redis from 'ioredis';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, start, type Proc } from './processes';

export const MASTER_NAME = 'mymaster';

export interface SentinelSet {
  primaryPort: number;
  replicaPort: number;
  sentinelPorts: number[];
  /** `REDIS_SENTINELS` for the service. */
  sentinels: string;
  procs: { primary: Proc; replica: Proc; sentinels: Proc[] };
  /** `host:port` the sentinels name as primary (asks the first that answers). */
  masterAddress(): Promise<string | undefined>;
  /** A client straight to one server (never through Sentinel). */
  direct(port: number): Redis;
  stop(): Promise<void>;
}

const server = (dir: string, port: number, extra: string[] = []) =>
  start('redis-server', [
    '--port',
    String(port),
    // A replica writes the RDB it receives to disk: into the test's own directory.
    '--dir',
    dir,
    '--dbfilename',
    `dump-${port}.rdb`,
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    // Full sync at once rather than after the default 5 s wait for more replicas.
    '--repl-diskless-sync-delay',
    '0',
    ...extra,
  ]);

/**
 * A private Redis primary, one replica and three sentinels (quorum 2) on free loopback ports,
 * nothing persisted. Sentinels declare the primary down after `downAfterMs` without an answer.
 */
export async function startSentinelSet({ downAfterMs = 1000 } = {}): Promise<SentinelSet> {
  const dir = mkdtempSync(join(tmpdir(), 'sentinels-'));
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  const primary = server(dir, primaryPort);
  await primary.waitFor(/Ready to accept connections/i, 10_000);
  const replica = server(dir, replicaPort, ['--replicaof', '127.0.0.1', String(primaryPort)]);
  await replica.waitFor(
    /MASTER <-> REPLICA sync: (Finished with success|Master accepted)/i,
    15_000,
  );
  const sentinelPorts: number[] = [];
  const sentinels: Proc[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${port}.conf`);
    // Sentinel rewrites its config file as it learns the topology: it must be its own, writable.
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} ${downAfterMs}`,
        `sentinel failover-timeout ${MASTER_NAME} 5000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
        '',
      ].join('\n'),
    );
    const proc = start('redis-server', [conf, '--sentinel']);
    await proc.waitFor(/Sentinel ID is/i, 10_000);
    sentinelPorts.push(port);
    sentinels.push(proc);
  }
  const clients: Redis[] = [];
  const direct = (port: number) => {
    const c = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, lazyConnect: true });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };
  const sentinelClients = sentinelPorts.map(direct);
  const masterAddress = async () => {
    for (const s of sentinelClients) {
      try {
        const addr = (await s.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as
          [string, string] | null;
        if (addr) return `${addr[0]}:${addr[1]}`;
      } catch {
        // next sentinel
      }
    }
    return undefined;
  };
  // Every sentinel knows the replica and the other two sentinels before the test relies on them.
  const until = Date.now() + 20_000;
  for (;;) {
    const views = await Promise.all(
      sentinelClients.map(async (s) => {
        const master = (await s.call('SENTINEL', 'master', MASTER_NAME)) as string[];
        const field = (name: string) => Number(master[master.indexOf(name) + 1]);
        return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
      }),
    ).catch(() => [false]);
    if (views.every(Boolean)) break;
    if (Date.now() > until) throw new Error('sentinels did not discover each other in 20 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const procs = { primary, replica, sentinels };
  return {
    primaryPort,
    replicaPort,
    sentinelPorts,
    sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`).join(','),
    procs,
    masterAddress,
    direct,
    stop: async () => {
      for (const c of clients) c.disconnect();
      const all = [primary, replica, ...sentinels];
      for (const p of all) {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      }
      await Promise.all(all.map((p) => p.exited(10_000).catch(() => null)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
