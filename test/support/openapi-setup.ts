import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, inject } from 'vitest';
import { endAllowances, recorder } from './openapi-validator';

const report = (found: string[], when: string) =>
  new Error(
    `${found.length} response(s) ${when} do not match openapi.json:\n  ${found.join('\n  ')}`,
  );

// A mismatch fails the test during which the response was sent (responses finish before the
// awaiting test resumes, so they are attributed to the right test). One sent outside any test
// fails the next test, or the file (afterAll, registered first, runs after the file's own).
beforeEach(() => {
  const found = recorder.pending.splice(0);
  if (found.length)
    throw report(found, 'sent before this test (in beforeAll, or after the previous test ended)');
});

afterEach(() => {
  const found = recorder.pending.splice(0);
  const unused = endAllowances();
  if (found.length) throw report(found, 'sent during this test');
  if (unused.length) {
    throw new Error(`allowUndocumented() never used by an answer:\n  ${unused.join('\n  ')}`);
  }
});

// One file per test file; test/support/global-setup.ts adds them up when the run ends.
afterAll(() => {
  const late = recorder.pending.splice(0);
  const dir = inject('openapiCoverageDir');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`),
    JSON.stringify({
      validated: recorder.validated,
      outside: recorder.outside,
      allowed: recorder.allowed,
      mismatches: recorder.mismatches,
      reached: Object.fromEntries(recorder.reached),
    }),
  );
  recorder.responses = 0;
  recorder.validated = 0;
  recorder.outside = 0;
  recorder.allowed = 0;
  recorder.mismatches = 0;
  recorder.reached.clear();
  endAllowances();
  if (late.length) throw report(late, 'sent after the last test (in afterAll)');
});
