// `npm run sdk:pack`: the SDK as a standalone npm package (dist/sdk-package, then a tarball in dist/).
// It depends on openapi-fetch and Node.js built-ins only; libs/sdk/package.json describes it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SCHEMA_FILE } from './openapi-lib.mjs';

const out = join(ROOT, 'dist/sdk-package');
rmSync(out, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'libs/sdk/tsconfig.lib.json'],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
copyFileSync(SCHEMA_FILE, join(out, 'dist/schema.d.ts')); // tsc does not copy .d.ts inputs
copyFileSync(join(ROOT, 'libs/sdk/package.json'), join(out, 'package.json'));
copyFileSync(join(ROOT, 'libs/sdk/README.md'), join(out, 'README.md'));
const tarball = execFileSync('npm', ['pack', '--pack-destination', join(ROOT, 'dist')], {
  cwd: out,
  encoding: 'utf8',
}).trim();
console.error(`sdk:pack: dist/${tarball.split('\n').pop()}`);
