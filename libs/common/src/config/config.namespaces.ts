import { randomBytes } from 'node:crypto';
import { effectiveLogFormat, type EnvironmentVariables } from './env.validation';
import { redisConnectionFromEnv } from './redis-connection';

/**
 * A typed slice of the environment, validated once per application (AppConfigModule): inject it
 * with `@Inject(redisConfig.KEY) redis: ConfigType<typeof redisConfig>`. A pure function of the
 * validated environment, so it is never read from `process.env` again.
 */
export type ConfigNamespace<T> = ((env: EnvironmentVariables) => T) & { readonly KEY: string };

function configNamespace<T>(
  name: string,
  build: (env: EnvironmentVariables) => T,
): ConfigNamespace<T> {
  // The token format of @nestjs/config's registerAs, which these namespaces replaced.
  return Object.assign(build, { KEY: `CONFIGURATION(${name})` });
}

export const appConfig = configNamespace('app', (e) => ({
  nodeEnv: e.NODE_ENV,
  isProduction: e.NODE_ENV === 'production',
  port: e.PORT,
  runWorkers: e.RUN_WORKERS,
  bodyLimitBytes: e.BODY_LIMIT_BYTES,
  /** Express `trust proxy`: false, or the proxies whose X-Forwarded-For counts. */
  trustProxy: e.TRUST_PROXY ? e.TRUST_PROXY.split(',').map((p) => p.trim()) : false,
  logLevel: e.LOG_LEVEL,
  logFormat: effectiveLogFormat(e),
  workerHeartbeatFile: e.WORKER_HEARTBEAT_FILE,
}));

export const databaseConfig = configNamespace('database', (e) => ({
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
}));

/**
 * Makes a database this process started itself (the embedded one) the configured DATABASE_URL of
 * every application created from now on. The one place besides validation that touches the
 * environment.
 */
export function useDatabaseUrl(url: string): void {
  process.env.DATABASE_URL = url;
}

export const redisConfig = configNamespace('redis', (e) => ({
  connection: redisConnectionFromEnv(e),
  prefix: e.BULL_PREFIX,
  rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
}));

export const DEV_API_KEYS = 'demo:demo-key';

export const authConfig = configNamespace('auth', (e) => {
  const raw = e.API_KEYS ?? DEV_API_KEYS;
  return {
    usingDevKey: !e.API_KEYS,
    keys: raw.split(',').map((pair) => {
      const i = pair.indexOf(':');
      return { tenantId: pair.slice(0, i), key: pair.slice(i + 1) };
    }),
    adminApiKey: e.ADMIN_API_KEY,
    tenantKeyFailuresPerMinute: e.TENANT_KEY_FAILURES_PER_MINUTE,
    boardActions: e.ADMIN_BOARD_ACTIONS,
  };
});

/** Generated once per process so that cursors survive a second application within it (tests). */
const ephemeralCursorSecret = randomBytes(32).toString('base64url');

export const paginationConfig = configNamespace('pagination', (e) => ({
  secret: e.CURSOR_SECRET ?? ephemeralCursorSecret,
  ephemeralSecret: !e.CURSOR_SECRET,
}));

export const idempotencyConfig = configNamespace('idempotency', (e) => ({
  ttlSeconds: e.IDEMPOTENCY_TTL_SECONDS,
  lockTimeoutSeconds: e.IDEMPOTENCY_LOCK_TIMEOUT_SECONDS,
}));

export const bulkConfig = configNamespace('bulk', (e) => ({
  maxItems: e.BULK_MAX_ITEMS,
  maxJsonBytes: e.BULK_MAX_JSON_BYTES,
  chunkSize: e.BULK_CHUNK_SIZE,
  jobTtlSeconds: e.JOB_TTL_SECONDS,
  webhookSecret: e.WEBHOOK_SECRET,
  webhookAllowPrivateNetworks: e.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
  tenantMaxConcurrentChunks: e.TENANT_MAX_CONCURRENT_CHUNKS,
  tenantMaxActiveJobs: e.TENANT_MAX_ACTIVE_JOBS,
  tenantMaxItemsPerDay: e.TENANT_MAX_ITEMS_PER_DAY ?? null,
}));

/** What one upload may cost: its bytes, its lines, its idle time, and uploads in flight per tenant. */
export const uploadConfig = configNamespace('upload', (e) => ({
  maxBodyBytes: e.BULK_MAX_BODY_BYTES,
  maxLineBytes: e.BULK_MAX_LINE_BYTES,
  maxCsvFields: e.BULK_MAX_CSV_FIELDS,
  tenantMaxConcurrentUploads: e.TENANT_MAX_CONCURRENT_UPLOADS,
  idleTimeoutMs: e.UPLOAD_IDLE_TIMEOUT_MS,
}));

/**
 * Bull queues and their workers. The queues themselves (names, retry shapes) belong to the libs that
 * use them; what the environment decides is here, keyed by what the queue is for.
 */
export const queueConfig = configNamespace('queues', (e) => ({
  bulk: {
    /** Chunks processed at once per worker process. */
    concurrency: e.WORKER_CONCURRENCY,
    lockDurationMs: e.BULK_LOCK_DURATION_MS,
    attempts: e.BULK_ATTEMPTS,
    /** Ceiling on chunks per second per queue; 0 = none. */
    rateLimitPerSecond: e.BULK_RATE_LIMIT_CHUNKS_PER_SECOND,
  },
  webhooks: {
    concurrency: e.WEBHOOK_CONCURRENCY,
    attempts: e.WEBHOOK_ATTEMPTS,
    timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    /** Base of the retry backoff (doubles per attempt, with jitter). */
    backoffBaseMs: e.WEBHOOK_BACKOFF_BASE_MS,
  },
}));

export const ALL_CONFIG_NAMESPACES = [
  appConfig,
  databaseConfig,
  redisConfig,
  authConfig,
  paginationConfig,
  idempotencyConfig,
  bulkConfig,
  uploadConfig,
  queueConfig,
];
