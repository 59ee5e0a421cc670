import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, inject } from 'vitest';
import { recorder } from './openapi-validator';

// A mismatch fails the test during which the response was sent (responses finish before the
// awaiting test resumes, so they are attributed to the right test).
afterEach(() => {
  const found = recorder.pending.splice(0);
  if (found.length) {
    throw new Error(
      `${found.length} response(s) do not match openapi.json:\n  ${found.join('\n  ')}`,
    );
  }
});

// One file per test file; test/support/global-setup.ts adds them up when the run ends.
afterAll(() => {
  const dir = inject('openapiCoverageDir');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`),
    JSON.stringify({
      validated: recorder.validated,
      notAnOperation: recorder.notAnOperation,
      mismatches: recorder.mismatches,
      reached: Object.fromEntries(recorder.reached),
    }),
  );
  recorder.validated = 0;
  recorder.notAnOperation = 0;
  recorder.mismatches = 0;
  recorder.reached.clear();
});
