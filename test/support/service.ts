import { API_MAIN, freePort, start, stopProcesses, WORKER_MAIN, type Proc } from './processes';
import { startValidatingProxy, type ValidatingProxy } from './validating-proxy';

/** What the process-level tests run the built service with; `env` adds to it or overrides it. */
export function serviceEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    API_KEYS: 'acme:key_acme',
    CURSOR_SECRET: 'x',
    RATE_LIMIT_PER_MINUTE: '0',
    BULK_CHUNK_SIZE: '500',
    BULK_LOCK_DURATION_MS: '5000',
    LOG_LEVEL: 'log',
    NODE_ENV: 'test',
    ...env,
  };
}

export interface ApiAndWorker {
  api: Proc;
  worker: Proc;
  proxy: ValidatingProxy;
  stop(): Promise<void>;
}

/**
 * The built API alone first (it applies the migrations; the worker then finds nothing to do), then a
 * worker process, and a validating proxy in front of the API.
 */
export async function startApiAndWorker(env: NodeJS.ProcessEnv): Promise<ApiAndWorker> {
  const port = await freePort();
  const api = start('node', [API_MAIN], {
    env: { ...env, PORT: String(port), RUN_WORKERS: 'false' },
  });
  await api.waitFor(/API listening/, 60_000);
  const worker = start('node', [WORKER_MAIN], { env });
  await worker.waitFor(/Worker started/, 60_000);
  const proxy = await startValidatingProxy(`http://127.0.0.1:${port}`);
  return {
    api,
    worker,
    proxy,
    stop: async () => {
      await proxy.close();
      await stopProcesses(api, worker);
    },
  };
}
