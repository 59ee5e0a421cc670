// `npm run sdk:generate`: libs/sdk/src/schema.d.ts from the committed openapi.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { renderSchemaTypes, ROOT, SCHEMA_FILE, SPEC_FILE } from './openapi-lib.mjs';

writeFileSync(SCHEMA_FILE, await renderSchemaTypes(readFileSync(SPEC_FILE, 'utf8')));
console.error(`sdk:generate: wrote ${relative(ROOT, SCHEMA_FILE)}`);
