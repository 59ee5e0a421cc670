import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { AppConfigModule } from './app-config.module';
import { ALL_CONFIG_NAMESPACES, queueConfig, redisConfig } from './config.namespaces';
import { ConfigValidationError, EnvironmentVariables } from './env.validation';

const SET = ['WORKER_CONCURRENCY', 'WEBHOOK_TIMEOUT_MS', 'BULL_PREFIX', 'PORT'];

const app = () => Test.createTestingModule({ imports: [AppConfigModule] }).compile();

describe('AppConfigModule', () => {
  const saved = Object.fromEntries(SET.map((k) => [k, process.env[k]]));
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('validates the environment when an application is created, and never reads it again', async () => {
    Object.assign(process.env, { WORKER_CONCURRENCY: '7', WEBHOOK_TIMEOUT_MS: '900' });
    const first = await app();
    const env = first.get(EnvironmentVariables);
    expect(env).toBeInstanceOf(EnvironmentVariables);
    expect(first.get<ReturnType<typeof queueConfig>>(queueConfig.KEY)).toMatchObject({
      bulk: { concurrency: 7, attempts: 10 },
      webhooks: { timeoutMs: 900 },
    });
    process.env.WORKER_CONCURRENCY = '3';
    expect(first.get<ReturnType<typeof queueConfig>>(queueConfig.KEY).bulk.concurrency).toBe(7);
    expect(first.get(EnvironmentVariables)).toBe(env);
    // Another application in the same process sees the environment of its own creation.
    const second = await app();
    expect(second.get<ReturnType<typeof queueConfig>>(queueConfig.KEY).bulk.concurrency).toBe(3);
    await Promise.all([first.close(), second.close()]);
  });

  it('serves every namespace, each from the one validated environment', async () => {
    process.env.BULL_PREFIX = 'myq';
    const ref = await app();
    const env = ref.get(EnvironmentVariables);
    for (const namespace of ALL_CONFIG_NAMESPACES) {
      expect(ref.get(namespace.KEY)).toEqual(namespace(env));
    }
    expect(ref.get<ReturnType<typeof redisConfig>>(redisConfig.KEY).prefix).toBe('myq');
    await ref.close();
  });

  it('refuses to create an application on an invalid environment, naming the variable', async () => {
    process.env.PORT = 'abc';
    const created = app();
    await expect(created).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(created).rejects.toThrow(/^Invalid configuration:\n {2}- PORT: /);
  });
});
