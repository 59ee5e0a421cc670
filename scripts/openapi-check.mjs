// `npm run openapi:check`: fails (exit 1) when openapi.json or libs/sdk/src/schema.d.ts differ from
// what the current code generates. Expects an up-to-date dist/ (`npm test` builds right before). The same
// function serves `GET /openapi.json`; test/openapi-served.e2e-spec.ts checks the served bytes match too.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  buildSpec,
  jsonDiff,
  renderSchemaTypes,
  renderSpec,
  ROOT,
  SCHEMA_FILE,
  SPEC_FILE,
  textDiff,
} from './openapi-lib.mjs';

const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const dir = mkdtempSync(join(tmpdir(), 'openapi-check-'));
const freshSpec = renderSpec(await buildSpec());
const freshSchema = await renderSchemaTypes(freshSpec);
writeFileSync(join(dir, 'openapi.json'), freshSpec);
writeFileSync(join(dir, 'schema.d.ts'), freshSchema);

let drift = false;
const committedSpec = read(SPEC_FILE);
if (committedSpec !== freshSpec) {
  drift = true;
  console.error(
    `openapi:check: openapi.json is out of date (fresh copy: ${join(dir, 'openapi.json')})`,
  );
  let summary;
  try {
    summary = jsonDiff(JSON.parse(committedSpec), JSON.parse(freshSpec));
  } catch {
    summary = textDiff(committedSpec, freshSpec);
  }
  if (summary.total === 0) summary = textDiff(committedSpec, freshSpec); // formatting only
  console.error('  (- committed, + generated, ~ changed)');
  console.error(summary.lines.join('\n'));
}
const committedSchema = read(SCHEMA_FILE);
if (committedSchema !== freshSchema) {
  drift = true;
  console.error(
    `openapi:check: ${relative(ROOT, SCHEMA_FILE)} is out of date (fresh copy: ${join(dir, 'schema.d.ts')})`,
  );
  console.error(textDiff(committedSchema, freshSchema).lines.join('\n'));
}
if (drift) {
  console.error('openapi:check: run `npm run openapi` (spec + SDK types) and commit the result.');
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
console.error('openapi:check: openapi.json and libs/sdk/src/schema.d.ts are up to date');
