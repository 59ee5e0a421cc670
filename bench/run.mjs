#!/usr/bin/env node
// Benchmark dispatcher.
//
//   node bench/run.mjs                 run every bench found as bench/<name>/index.{mjs,js,cjs}
//   node bench/run.mjs pagination      run only bench/pagination/index.*
//   node bench/run.mjs a b -- --flag   run a then b; arguments after `--` go to every bench
//   node bench/run.mjs --list          list the benches found
//
// Each bench runs in a child process of its own (cwd = repository root), one after the other, so
// that a crash or a leaked handle in one cannot affect the next. Folders whose names start with `_`
// or `.` (shared helpers such as bench/_lib) are never treated as benches.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const ENTRY_NAMES = ['index.mjs', 'index.js', 'index.cjs'];

function discover() {
  const found = new Map();
  for (const entry of readdirSync(BENCH_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory() || /^[._]/.test(entry.name) || entry.name === 'node_modules') continue;
    const file = ENTRY_NAMES.map((f) => join(BENCH_DIR, entry.name, f)).find((f) => existsSync(f));
    if (file) found.set(entry.name, file);
  }
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

function runOne(name, file, args) {
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== bench ${name} (${relative(ROOT, file)}) ===`);
    const child = spawn(process.execPath, [file, ...args], { cwd: ROOT, stdio: 'inherit', env: process.env });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const ok = code === 0;
      console.log(`=== bench ${name}: ${ok ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`} in ${secs}s ===`);
      resolve({ name, ok, code, signal, secs });
    });
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const dash = argv.indexOf('--');
  const names = dash === -1 ? argv : argv.slice(0, dash);
  const passThrough = dash === -1 ? [] : argv.slice(dash + 1);
  const benches = discover();

  if (names.includes('--list') || names.includes('-l')) {
    for (const [name, file] of benches) console.log(`${name}\t${relative(ROOT, file)}`);
    return 0;
  }
  if (names.includes('--help') || names.includes('-h')) {
    console.log('usage: node bench/run.mjs [--list] [name ...] [-- args for the benches]');
    console.log(`benches: ${[...benches.keys()].join(', ') || '(none)'}`);
    return 0;
  }
  const unknown = names.filter((n) => !benches.has(n));
  if (unknown.length) {
    console.error(`unknown bench: ${unknown.join(', ')}; available: ${[...benches.keys()].join(', ') || '(none)'}`);
    return 2;
  }
  const selected = names.length ? names : [...benches.keys()];
  if (!selected.length) {
    console.error('no bench found (expected bench/<name>/index.mjs)');
    return 2;
  }
  const results = [];
  for (const name of selected) results.push(await runOne(name, benches.get(name), passThrough));
  if (results.length > 1) {
    console.log('\nsummary:');
    for (const r of results) console.log(`  ${r.ok ? 'ok    ' : 'FAILED'} ${r.name} (${r.secs}s)`);
  }
  // With no bench name or several: rebuild the combined bench/REPORT.md from every bench's results.json.
  const report = join(BENCH_DIR, 'report.mjs');
  if (names.length !== 1 && existsSync(report)) results.push(await runOne('report', report, []));
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
