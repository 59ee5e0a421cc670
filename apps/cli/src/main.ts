#!/usr/bin/env node
// bulk-rest: command-line client of the Bulk REST service (see `bulk-rest --help`).
import { run } from './cli';

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env })
  .then((code) => {
    process.exitCode = code;
  })
  .catch((e: unknown) => {
    process.stderr.write(
      `bulk-rest: unexpected failure: ${e instanceof Error ? e.stack : String(e)}\n`,
    );
    process.exitCode = 1;
  });
