import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database';
import { API_MAIN, freePort, isAlive, ROOT, start, stopProcesses, type Proc } from './processes';
import { deleteBullKeys } from './resilience-db-redis';
import { serviceEnv } from './service';
import { eventually, sleep } from './wait';

/*
 * The hostile-tenant harness: the built API as a child process with two tenants, an attacker and a
 * victim. While an attack runs, the victim's calls are timed and the API's RSS is sampled; what the
 * victim saw, what the attack's requests ended with and whether the API survived make one result.
 */

export const ADMIN_KEY = 'hostile_admin_key';
/** The victim's own client address (TRUST_PROXY=loopback lets the test name one). */
export const VICTIM_ADDRESS = '203.0.113.5';

export interface HostileApi {
  base: string;
  pid(): number;
  proc(): Proc;
  auth: { attacker: Record<string, string>; victim: Record<string, string> };
  /** How often an attack left the API dead or unresponsive, so that it had to be started again. */
  restarts: number;
  /** A fresh child on the same database when the last one died or hangs (one attack's failure must not fail the next). */
  ensureResponsive(): Promise<void>;
  stop(): Promise<void>;
}

/** The built API with RUN_WORKERS=true, a database and Bull prefix of its own; `env` adds limits. */
export async function startHostileApi(env: NodeJS.ProcessEnv): Promise<HostileApi> {
  const db: TestDatabase = await createTestDatabase('hostile');
  const prefix = `hostile_${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const fullEnv = serviceEnv({
    DATABASE_URL: db.url,
    BULL_PREFIX: prefix,
    PORT: String(port),
    RUN_WORKERS: 'true',
    API_KEYS: 'attacker:key_attacker,victim:key_victim',
    ADMIN_API_KEY: ADMIN_KEY,
    TRUST_PROXY: 'loopback',
    BULK_CHUNK_SIZE: '1000',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  // LOG_LEVEL=warn hides the "listening" line: the API is up once it answers. One that never
  // answers is killed, not left running.
  const launch = async () => {
    const p = start('node', [API_MAIN], { env: fullEnv });
    try {
      await eventually(
        'the API answering /health/live',
        async () => {
          if (!isAlive(p)) throw new Error(`the API exited:\n${p.output().slice(-3000)}`);
          return answers(`${base}/health/live`, 1_000);
        },
        60_000,
      );
      return p;
    } catch (e) {
      p.child.kill('SIGKILL');
      throw e;
    }
  };
  const cleanUp = async () => {
    await db.drop().catch(() => undefined);
    await deleteBullKeys(prefix);
  };
  let proc = await launch().catch(async (e: unknown) => {
    await cleanUp();
    throw e;
  });
  const api: HostileApi = {
    base,
    pid: () => proc.child.pid!,
    proc: () => proc,
    auth: {
      attacker: { Authorization: 'Bearer key_attacker' },
      victim: { Authorization: 'Bearer key_victim', 'X-Forwarded-For': VICTIM_ADDRESS },
    },
    restarts: 0,
    ensureResponsive: async () => {
      if (isAlive(proc) && (await answers(`${base}/health/live`, 2_000))) return;
      proc.child.kill('SIGKILL');
      await proc.exited(10_000).catch(() => undefined);
      api.restarts++;
      proc = await launch();
    },
    stop: async () => {
      await stopProcesses(proc);
      await cleanUp();
    },
  };
  return api;
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).ok;
  } catch {
    return false;
  }
}

export interface VictimView {
  count: number;
  worstMs: number;
  p50Ms: number;
  /** Every answer but a 200: `GET /orders 503`, `GET /health/live error: …`. */
  failures: string[];
  /** 5xx answers and requests that got no answer at all. */
  serverErrors: number;
}

const VICTIM_ROUTES = ['/health/live', '/orders?limit=20'];

/**
 * The victim's calls while an attack runs: each route every `everyMs`, one request in flight per
 * route, each timed from send to the end of its body. `stop()` ends the loops (an unanswered request
 * is cut at once and counts as an error) and gives what the victim saw.
 */
export function victimProbe(api: HostileApi, everyMs = 100): { stop(): Promise<VictimView> } {
  const latencies: number[] = [];
  const failures: string[] = [];
  let serverErrors = 0;
  const stopping = new AbortController();
  const loop = async (path: string) => {
    while (!stopping.signal.aborted) {
      const sent = performance.now();
      try {
        const res = await fetch(`${api.base}${path}`, {
          headers: api.auth.victim,
          signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(30_000)]),
        });
        await res.arrayBuffer();
        if (res.status !== 200) failures.push(`GET ${path} ${res.status}`);
        if (res.status >= 500) serverErrors++;
      } catch (e) {
        if (stopping.signal.aborted && performance.now() - sent < 1_000) break; // cut by stop(), not slow
        failures.push(`GET ${path} error: ${(e as Error).message}`);
        serverErrors++;
      }
      const took = performance.now() - sent;
      latencies.push(took);
      await sleep(Math.max(0, everyMs - took));
    }
  };
  const loops = VICTIM_ROUTES.map(loop);
  return {
    stop: async () => {
      stopping.abort();
      await Promise.all(loops);
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        count: sorted.length,
        worstMs: Math.round(sorted.at(-1) ?? 0),
        p50Ms: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
        failures,
        serverErrors,
      };
    },
  };
}

/** VmRSS of a process in MB, or undefined once it is gone. */
function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The process's RSS every 100 ms: the first sample is the baseline, `stop()` gives the peak. */
export function rssSampler(pid: number): { baselineMb: number; stop(): number } {
  const baselineMb = rssMb(pid) ?? 0;
  let peakMb = baselineMb;
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, rssMb(pid) ?? 0);
  }, 100);
  return {
    baselineMb,
    stop: () => {
      clearInterval(timer);
      return Math.max(peakMb, rssMb(pid) ?? 0);
    },
  };
}

export interface AttackResult {
  name: string;
  /** What the attack's requests ended with (`413 payload_too_large`, `202 ×4`, `deadline`). */
  outcome: string[];
  victim: VictimView;
  rssBaselineMb: number;
  rssGrowthMb: number;
  /** The API process is still running and answers /health/live. */
  alive: boolean;
  ms: number;
}

/**
 * Runs one attack while the victim is timed and RSS sampled. `attack` gets a signal that aborts at
 * `deadlineMs` (its requests then destroy their sockets) and returns what its requests ended with.
 * The result is also a line of the report when HOSTILE_REPORT=1.
 */
export async function runAttack(
  api: HostileApi,
  name: string,
  attack: (signal: AbortSignal) => Promise<string[]>,
  { deadlineMs, settleMs = 300 }: { deadlineMs: number; settleMs?: number },
): Promise<AttackResult> {
  await api.ensureResponsive();
  const rss = rssSampler(api.pid());
  const probe = victimProbe(api);
  await sleep(settleMs); // the victim's normal latency is part of the picture
  const started = performance.now();
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), deadlineMs);
  const missed = new Promise<string[]>((ok) =>
    deadline.signal.addEventListener('abort', () => ok(['deadline']), { once: true }),
  );
  let outcome: string[];
  try {
    outcome = await Promise.race([attack(deadline.signal), missed]);
  } catch (e) {
    outcome = [`attack threw: ${(e as Error).message}`];
  } finally {
    clearTimeout(timer);
    deadline.abort();
  }
  const ms = Math.round(performance.now() - started);
  await sleep(settleMs);
  const victim = await probe.stop();
  const peakMb = rss.stop();
  const alive = isAlive(api.proc()) && (await answers(`${api.base}/health/live`, 2_000));
  const result: AttackResult = {
    name,
    outcome,
    victim,
    rssBaselineMb: Math.round(rss.baselineMb),
    rssGrowthMb: Math.round(peakMb - rss.baselineMb),
    alive,
    ms,
  };
  report(result);
  return result;
}

/** `['202', '429 x', '429 x']` → `['202', '429 x ×2']`, in order of first appearance. */
export function tally(outcomes: string[]): string[] {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => (n > 1 ? `${o} ×${n}` : o));
}

const REPORT = resolve(ROOT, 'test/hostile/REPORT.md');
const HEADER =
  '| run | attack | victim worst ms | victim p50 ms | victim calls | victim failures | RSS growth MB | attack ms | outcome | API alive |\n' +
  '|---|---|---|---|---|---|---|---|---|---|\n';

/** Appends the result to test/hostile/REPORT.md, only when HOSTILE_REPORT=1 (labelled by HOSTILE_RUN). */
function report(r: AttackResult): void {
  if (process.env.HOSTILE_REPORT !== '1') return;
  try {
    writeFileSync(REPORT, `# Hostile-tenant suite results\n\n${HEADER}`, { flag: 'wx' });
  } catch {
    // already there: append
  }
  const failures = r.victim.failures.length
    ? `${r.victim.failures.length} (${tally(r.victim.failures).slice(0, 3).join('; ')})`
    : '0';
  const cells = [
    process.env.HOSTILE_RUN ?? new Date().toISOString().slice(0, 16),
    r.name,
    r.victim.worstMs,
    r.victim.p50Ms,
    r.victim.count,
    failures,
    r.rssGrowthMb,
    r.ms,
    r.outcome.join(', '),
    r.alive ? 'yes' : '**no**',
  ];
  appendFileSync(REPORT, `| ${cells.join(' | ').replace(/\n/g, ' ')} |\n`);
}

/** The ids of the attacker's stored jobs (newest 100). */
export async function attackerJobIds(api: HostileApi): Promise<string[]> {
  const res = await fetch(`${api.base}/bulk-jobs?limit=100`, { headers: api.auth.attacker });
  const body = (await res.json()) as { data?: { id: string }[] };
  if (!body.data) throw new Error(`GET /bulk-jobs answered ${res.status}`);
  return body.data.map((j) => j.id);
}

/** Polls the attacker's job (with `Prefer: wait`) until it is terminal; its status, or `deadline`. */
export async function finalJobStatus(
  api: HostileApi,
  id: string,
  signal: AbortSignal,
): Promise<string> {
  while (!signal.aborted) {
    try {
      const res = await fetch(`${api.base}/bulk-jobs/${id}`, {
        headers: { ...api.auth.attacker, Prefer: 'wait=5' },
        signal,
      });
      const job = (await res.json()) as { status?: string };
      if (res.status !== 200) return `job ${res.status}`;
      if (job.status && !['pending', 'processing'].includes(job.status)) return `job ${job.status}`;
    } catch {
      break;
    }
  }
  return 'job deadline';
}
