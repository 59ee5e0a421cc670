import type { BulkRestClient } from '@app/sdk';
import type { Type } from '@nestjs/common';
import { afterAll, beforeAll } from 'vitest';
import { sdkClient } from './sdk';
import { createTestApp, type TestApp } from './test-app';

export interface AppUnderTest extends TestApp {
  /** Typed SDK clients (test/support/sdk.ts) of the tenants acme and globex. */
  acme: BulkRestClient;
  globex: BulkRestClient;
}

/**
 * The app of the enclosing `describe`: created (createTestApp) before its first test and closed
 * after its last, the settings in `env` then taken back out of process.env so that no later app
 * of this worker process starts with them. Returned at once; its fields are there from the first
 * hook or test on.
 */
export function useTestApp(env: Record<string, string> = {}, extraImports: Type[] = []) {
  const t = {} as AppUnderTest;
  let before: Record<string, string | undefined> = {};
  beforeAll(async () => {
    before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(t, await createTestApp(env, extraImports));
    t.acme = await sdkClient(t, 'acme');
    t.globex = await sdkClient(t, 'globex');
  });
  afterAll(async () => {
    await t.close?.();
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  return t;
}
