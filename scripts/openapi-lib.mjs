// Shared by scripts/openapi.mjs, scripts/sdk-generate.mjs and scripts/openapi-check.mjs.
// The spec comes from the *built* app (dist/): the @nestjs/swagger CLI plugin only runs in `nest build`,
// and it is what turns DTO types and doc comments into schemas and descriptions.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SPEC_FILE = join(ROOT, 'openapi.json');
export const SCHEMA_FILE = join(ROOT, 'libs/sdk/src/schema.d.ts');
const DIST_APP = join(ROOT, 'dist/apps/api/src/app.module.js');
const DIST_RUNTIME = join(ROOT, 'dist/libs/runtime/src/index.js');
const DIST_COMMON = join(ROOT, 'dist/libs/common/src/index.js');

const require = createRequire(join(ROOT, 'package.json'));

/** Exits with a readable message when dist/ is missing, warns when it is older than the sources. */
export function requireFreshDist() {
  if (!existsSync(DIST_APP) || !existsSync(DIST_RUNTIME)) {
    console.error('openapi: dist/ is missing; run `npm run build` first (or `npm run openapi`).');
    process.exit(2);
  }
  const built = statSync(DIST_APP).mtimeMs;
  const newer = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ts$/.test(entry.name) && !/\.(spec|d)\.ts$/.test(entry.name)) {
        if (statSync(path).mtimeMs > built) newer.push(relative(ROOT, path));
      }
    }
  };
  for (const top of ['apps/api', 'libs']) if (existsSync(join(ROOT, top))) walk(join(ROOT, top));
  const relevant = newer.filter((p) => !p.startsWith('libs/sdk/'));
  if (relevant.length) {
    console.error(
      `openapi: warning: dist/ is older than ${relevant.length} source file(s) (e.g. ${relevant[0]}); ` +
        'run `npm run build` for an up-to-date spec.',
    );
  }
}

/**
 * Boots the built AppModule in preview mode (no providers are instantiated: no Postgres, no Redis, no
 * workers) and returns its OpenAPI document: the same function `GET /openapi.json` serves
 * (libs/runtime/src/openapi.ts), so the committed file is the served document.
 * The environment is reduced to a fixed minimum first, so the spec never depends on the caller's.
 */
export async function buildSpec() {
  requireFreshDist();
  for (const key of Object.keys(process.env)) {
    if (!['PATH', 'HOME', 'TMPDIR', 'LANG'].includes(key)) delete process.env[key];
  }
  process.env.NODE_ENV = 'development';
  require('reflect-metadata');
  const { NestFactory } = require('@nestjs/core');
  const { AppModule } = require(DIST_APP);
  const { openApiDocument } = require(DIST_RUNTIME);
  const { ALL_CONFIG_NAMESPACES, validateEnv } = require(DIST_COMMON);
  const app = await NestFactory.create(AppModule.register({ runWorkers: false }), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    // Preview mode instantiates nothing, so `app.get(config.KEY)` answers null: serve the typed
    // config namespaces (pure functions of the environment above) from their factories instead.
    const get = app.get.bind(app);
    const previewGet = (token, options) => {
      const value = get(token, options);
      if (value !== null && value !== undefined) return value;
      const factory = ALL_CONFIG_NAMESPACES.find((ns) => ns.KEY === token);
      if (factory) return factory(validateEnv(process.env));
      throw new Error(`openapi: preview mode has no instance of ${String(token?.name ?? token)}`);
    };
    const view = new Proxy(app, {
      get(target, prop) {
        if (prop === 'get') return previewGet;
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return openApiDocument(view);
  } finally {
    await app.close();
  }
}

export const renderSpec = (doc) => `${JSON.stringify(doc, null, 2)}\n`;

/** `libs/sdk/src/schema.d.ts` from a spec text: openapi-typescript, then the repo's Prettier style. */
export async function renderSchemaTypes(specText) {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const prettier = await import('prettier');
  const ast = await openapiTS(JSON.parse(specText), {
    alphabetize: false,
    emptyObjectsUnknown: true,
    exportType: false,
    rootTypes: false,
  });
  const banner = [
    '// Generated from openapi.json by `npm run sdk:generate` (openapi-typescript). Do not edit:',
    '// change the controllers and DTOs, then run `npm run openapi`.',
    '',
  ].join('\n');
  const options = (await prettier.resolveConfig(SCHEMA_FILE)) ?? {};
  return prettier.format(banner + astToString(ast), { ...options, filepath: SCHEMA_FILE });
}

/** A short, structural summary of how two JSON documents differ (JSON pointers). */
export function jsonDiff(before, after, limit = 25) {
  const lines = [];
  let total = 0;
  const esc = (k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');
  const show = (v) => {
    const s = JSON.stringify(v);
    return s === undefined ? 'undefined' : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  };
  const walk = (a, b, path) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    const objects =
      a &&
      b &&
      typeof a === 'object' &&
      typeof b === 'object' &&
      Array.isArray(a) === Array.isArray(b);
    if (!objects) {
      total++;
      if (lines.length < limit) {
        if (a === undefined) lines.push(`  + ${path || '/'}: ${show(b)}`);
        else if (b === undefined) lines.push(`  - ${path || '/'}: ${show(a)}`);
        else lines.push(`  ~ ${path || '/'}: ${show(a)} -> ${show(b)}`);
      }
      return;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) walk(a[k], b[k], `${path}/${esc(k)}`);
    if (!Array.isArray(a) && JSON.stringify(Object.keys(a)) !== JSON.stringify(Object.keys(b))) {
      if ([...keys].every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]))) {
        total++;
        if (lines.length < limit) lines.push(`  ~ ${path || '/'}: key order differs`);
      }
    }
  };
  walk(before, after, '');
  if (total > lines.length) lines.push(`  … and ${total - lines.length} more difference(s)`);
  return { total, lines };
}

/** A line-based summary for text files (first differing lines). */
export function textDiff(before, after, limit = 10) {
  const a = before.split('\n');
  const b = after.split('\n');
  const lines = [];
  let total = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    total++;
    if (lines.length < limit) {
      lines.push(`  line ${i + 1}:`);
      if (a[i] !== undefined) lines.push(`    - ${a[i]}`);
      if (b[i] !== undefined) lines.push(`    + ${b[i]}`);
    }
  }
  if (total > limit) lines.push(`  … ${total} differing line(s) in all`);
  return { total, lines };
}
