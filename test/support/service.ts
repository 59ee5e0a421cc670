import { randomBytes } from 'node:crypto';
import { deleteBullKeys } from './resilience-db-redis';
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

/** A worker process of the built service, once it has started. */
export async function startWorker(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Proc> {
  const worker = start('node', [WORKER_MAIN], { env });
  await worker.waitFor(/Worker started/, timeoutMs);
  return worker;
}

export interface RunningService {
  api: Proc;
  /** Undefined when started with `worker: false`. */
  worker?: Proc;
  proxy: ValidatingProxy;
  /** The proxy's base: where the test sends its requests. */
  base: string;
  stop(): Promise<void>;
}

/**
 * The built API alone first (it applies the migrations; a worker then finds nothing to do), then a
 * worker process, and a validating proxy in front of the API. With `worker: false` there is no
 * worker process: the API runs the workers itself (unless `env` says RUN_WORKERS=false).
 */
export async function startService(
  env: NodeJS.ProcessEnv,
  { worker: withWorker = true, timeoutMs = 60_000 } = {},
): Promise<RunningService> {
  const port = await freePort();
  const api = start('node', [API_MAIN], {
    env: { ...env, PORT: String(port), ...(withWorker ? { RUN_WORKERS: 'false' } : {}) },
  });
  await api.waitFor(/API listening/, timeoutMs);
  const worker = withWorker ? await startWorker(env, timeoutMs) : undefined;
  const proxy = await startValidatingProxy(`http://127.0.0.1:${port}`);
  return {
    api,
    worker,
    proxy,
    base: proxy.base,
    stop: async () => {
      await proxy.close();
      await stopProcesses(api, worker);
    },
  };
}

/**
 * A fault test's run: a Bull prefix and a tag (`run`) of its own for what it writes, and the things
 * it starts (`started(x, stop)` keeps the stop), all stopped by `cleanup()`, last started first,
 * before the prefix's Redis keys are deleted.
 */
export function faultRun(name: string) {
  const prefix = `${name}_${randomBytes(4).toString('hex')}`;
  const run = randomBytes(4).toString('hex');
  const stops: (() => Promise<void>)[] = [];
  return {
    prefix,
    run,
    started: <T>(thing: T, stop: (thing: T) => Promise<void>): T => {
      stops.push(() => stop(thing));
      return thing;
    },
    cleanup: async (): Promise<void> => {
      for (const stop of stops.splice(0).reverse()) await stop();
      await deleteBullKeys(prefix);
    },
  };
}
