import { registerAs } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { effectiveLogFormat, validateEnv } from './env.validation';
import { redisConnectionFromEnv } from './redis-connection';

const env = () => validateEnv(process.env);

export const appConfig = registerAs('app', () => {
  const e = env();
  return {
    nodeEnv: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    runWorkers: e.RUN_WORKERS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    logFormat: effectiveLogFormat(e),
    workerHeartbeatFile: e.WORKER_HEARTBEAT_FILE,
  };
});

export const databaseConfig = registerAs('database', () => {
  const e = env();
  return {
    url: e.DATABASE_URL ?? '',
    poolSize: e.DB_POOL_SIZE,
    poolMode: e.DATABASE_POOL_MODE,
    /** Migrations and LISTEN; unset: DATABASE_URL (under `transaction` mode: none for LISTEN). */
    directUrl: e.DATABASE_DIRECT_URL,
    budgets: {
      request: { lockMs: e.DB_LOCK_TIMEOUT_MS, statementMs: e.DB_STATEMENT_TIMEOUT_MS },
      long: { lockMs: e.DB_WORKER_LOCK_TIMEOUT_MS, statementMs: e.DB_WORKER_STATEMENT_TIMEOUT_MS },
    },
    idleInTransactionMs: e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
});

/**
 * Makes a database this process started itself (the embedded one) the configured DATABASE_URL, for
 * every config namespace read from now on. The one place besides validation that touches the
 * environment.
 */
export function useDatabaseUrl(url: string): void {
  process.env.DATABASE_URL = url;
}

export const redisConfig = registerAs('redis', () => {
  const e = env();
  return {
    connection: redisConnectionFromEnv(e),
    prefix: e.BULL_PREFIX,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
  };
});

export const DEV_API_KEYS = 'demo:demo-key';

export const authConfig = registerAs('auth', () => {
  const e = env();
  const raw = e.API_KEYS ?? DEV_API_KEYS;
  return {
    usingDevKey: !e.API_KEYS,
    keys: raw.split(',').map((pair) => {
      const i = pair.indexOf(':');
      return { tenantId: pair.slice(0, i), key: pair.slice(i + 1) };
    }),
    adminApiKey: e.ADMIN_API_KEY,
    boardActions: e.ADMIN_BOARD_ACTIONS,
  };
});

/** Generated once per process so that cursors survive config re-reads within it. */
const ephemeralCursorSecret = randomBytes(32).toString('base64url');

export const paginationConfig = registerAs('pagination', () => {
  const e = env();
  return { secret: e.CURSOR_SECRET ?? ephemeralCursorSecret, ephemeralSecret: !e.CURSOR_SECRET };
});

export const idempotencyConfig = registerAs('idempotency', () => {
  const e = env();
  return {
    ttlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
    lockTimeoutSeconds: e.IDEMPOTENCY_LOCK_TIMEOUT_SECONDS,
  };
});

export const bulkConfig = registerAs('bulk', () => {
  const e = env();
  return {
    maxItems: e.BULK_MAX_ITEMS,
    maxJsonBytes: e.BULK_MAX_JSON_BYTES,
    chunkSize: e.BULK_CHUNK_SIZE,
    workerConcurrency: e.WORKER_CONCURRENCY,
    jobTtlSeconds: e.JOB_TTL_SECONDS,
    webhookSecret: e.WEBHOOK_SECRET,
    webhookAllowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
    tenantMaxConcurrentChunks: e.TENANT_MAX_CONCURRENT_CHUNKS,
    tenantMaxActiveJobs: e.TENANT_MAX_ACTIVE_JOBS,
    tenantMaxItemsPerDay: e.TENANT_MAX_ITEMS_PER_DAY ?? null,
  };
});

export const ALL_CONFIG_NAMESPACES = [
  appConfig,
  databaseConfig,
  redisConfig,
  authConfig,
  paginationConfig,
  idempotencyConfig,
  bulkConfig,
];
