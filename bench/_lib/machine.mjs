// What the numbers were measured on.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

function tryExec(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function machineInfo(extra = {}) {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    nproc: Number(tryExec('nproc', [])) || os.availableParallelism?.() || cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadavg: os.loadavg().map((x) => +x.toFixed(2)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    ...extra,
  };
}

/**
 * Other benches, builds and test runs on the machine (their load makes a run noisy): `pgrep -af`
 * lines, without bench `name` itself, the dispatcher that started it, and this process's parent.
 */
export function otherActivity(name) {
  const out = tryExec('pgrep', ['-af', 'bench/|nest build|autocannon|vitest']) ?? '';
  return out
    .split('\n')
    .filter((l) => l && !l.includes(`bench/${name}`) && !l.includes('pgrep'))
    .filter((l) => !/bench\/run\.mjs|^\d+ (sh -c )?npm run bench/.test(l))
    .filter((l) => !l.startsWith(`${process.pid} `) && !l.startsWith(`${process.ppid} `));
}
