// `npm run openapi`: regenerate openapi.json (repo root) from the built app. The npm script builds first.
import { writeFileSync } from 'node:fs';
import { buildSpec, renderSpec, SPEC_FILE } from './openapi-lib.mjs';

const doc = await buildSpec();
writeFileSync(SPEC_FILE, renderSpec(doc));
console.error(`openapi: wrote ${SPEC_FILE} (${Object.keys(doc.paths).length} paths)`);
