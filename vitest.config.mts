import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const libs = [
  'common',
  'database',
  'auth',
  'orders',
  'health',
  'queue',
  'pagination',
  'idempotency',
  'jobs',
  'runtime',
  'metrics',
  'sdk',
  'ops',
  'telemetry',
];
const alias = Object.fromEntries(libs.map((l) => [`@app/${l}`, resolve(root, `libs/${l}/src`)]));

// SWC keeps decorator metadata, which Nest's DI needs; esbuild (vitest's default) drops it.
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    globals: false,
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          sequence: { groupOrder: 1 },
          include: ['test/**/*.e2e-spec.ts'],
          exclude: ['test/hostile/**'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/openapi-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          // Times another tenant's calls while one attacks: alone, after the e2e files, so that no
          // other test's load is counted against the service.
          name: 'hostile',
          sequence: { groupOrder: 2 },
          include: ['test/hostile/**/*.e2e-spec.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
