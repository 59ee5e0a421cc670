// Knobs read from the environment, paths and a log line prefix: what every bench's env.mjs starts from.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (benches run with it as working directory, but never rely on that). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A number from the environment, or `dflt` when the variable is unset or empty. */
export const num = (name, dflt) => (process.env[name] ? Number(process.env[name]) : dflt);

/**
 * Numeric knobs named by one convention, `<PREFIX>_<KEY IN UPPER SNAKE CASE>` (`knobs('BENCH',
 * { bigN: 1000 })` reads BENCH_BIG_N): each the environment's value, or its default here.
 */
export const knobs = (prefix, defaults) =>
  Object.fromEntries(
    Object.entries(defaults).map(([key, dflt]) => [
      key,
      num(`${prefix}_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, dflt),
    ]),
  );

/** `true` when the variable is exactly `1` (BENCH_SKIP_BUILD=1 and the like). */
export const flag = (name) => process.env[name] === '1';

/** A comma-separated list from the environment (`dflt` when unset), empty entries dropped. */
export const list = (name, dflt) => (process.env[name] ?? dflt).split(',').filter(Boolean);

/** A bench's own folder (`import.meta.url` of a file in it), its git-ignored `.work/` and a `require`. */
export function benchDir(url) {
  const HERE = dirname(fileURLToPath(url));
  return { HERE, WORK: join(HERE, '.work'), require: createRequire(url) };
}

/** `console.log` with `[tag  12s]`: the seconds since the bench started. */
export function logger(tag) {
  const t0 = Date.now();
  return (...a) =>
    console.log(`[${tag} ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s]`, ...a);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
