// V8 CPU profiles of a server process (`node --cpu-prof`), read for the time a measurement ran.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Monotonic microseconds, the clock V8 stamps profile samples with. */
export const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** The node flags that write a profile into `dir`, emptied first. */
export function cpuProfArgs(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** The profile the process wrote into `dir` (on exit). */
export function readProfile(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8'));
}

/** Self time in µs by profile node id, counting only the samples taken between `fromUs` and `toUs`. */
export function selfTimes(prof, fromUs, toUs) {
  const self = new Map();
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  return self;
}
