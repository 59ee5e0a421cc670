import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';

const toBool = ({ value }: { value: unknown }): unknown => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return value;
  const v = value.toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};
const toInt = ({ value }: { value: unknown }): unknown =>
  value === undefined || value === ''
    ? undefined
    : typeof value === 'string' && /^-?\d+$/.test(value)
      ? Number(value)
      : value;
const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  value === '' ? undefined : value;

/** A whole number from the environment, at least `min` (and at most `max`). */
const Int = (min: number, max?: number) =>
  applyDecorators(Transform(toInt), IsInt(), Min(min), ...(max === undefined ? [] : [Max(max)]));
/** Like `Int`, but unset is allowed. */
const OptionalInt = (min: number, max?: number) =>
  applyDecorators(
    Transform(toInt),
    IsOptional(),
    IsInt(),
    Min(min),
    ...(max === undefined ? [] : [Max(max)]),
  );
/** true/1/yes or false/0/no. */
const Bool = () => applyDecorators(Transform(toBool), IsBoolean());

/** Every environment variable the service reads, validated once at boot. */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Int(0, 65535)
  PORT = 3000;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Connections in each process's database pool. */
  @Int(1, 1000)
  DB_POOL_SIZE = 20;

  /**
   * `transaction` when DATABASE_URL is a transaction pooler (PgBouncer `pool_mode = transaction`):
   * nothing is sent that needs the same server session across transactions.
   */
  @IsIn(['session', 'transaction'])
  DATABASE_POOL_MODE: 'session' | 'transaction' = 'session';

  /** A session-capable URL (the server itself, not a transaction pooler) for migrations and LISTEN. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_DIRECT_URL must be a postgres:// URL' })
  DATABASE_DIRECT_URL?: string;

  /** How long a request-path statement may wait for a lock before it gives up (503). */
  @Int(1, 3_600_000)
  DB_LOCK_TIMEOUT_MS = 3000;

  /** How long a request-path statement may run before Postgres cancels it (503). */
  @Int(1, 3_600_000)
  DB_STATEMENT_TIMEOUT_MS = 10_000;

  /** The same two bounds for workers' chunk transactions, uploads and maintenance. */
  @Int(1, 3_600_000)
  DB_WORKER_LOCK_TIMEOUT_MS = 60_000;

  @Int(1, 86_400_000)
  DB_WORKER_STATEMENT_TIMEOUT_MS = 600_000;

  /** A session idle inside a transaction this long is ended by Postgres (its locks freed). */
  @Int(1, 86_400_000)
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = 300_000;

  @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Sentinels as `host:port,host:port,…`; when set, Redis is found through them and REDIS_URL is ignored. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[^:,\s]+:\d{1,5}(,[^:,\s]+:\d{1,5})*$/, {
    message: 'REDIS_SENTINELS must be comma-separated host:port pairs, e.g. s1:26379,s2:26379',
  })
  REDIS_SENTINELS?: string;

  /** The master name the sentinels monitor. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_NAME = 'mymaster';

  /** Password of the Redis servers under Sentinel (with REDIS_URL, put it in the URL instead). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** TLS to the Redis servers and the sentinels under Sentinel (with REDIS_URL, use rediss://). */
  @Bool()
  REDIS_TLS = false;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  BULL_PREFIX = 'bull';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[^:,\s]+:[^,\s]+(,[^:,\s]+:[^,\s]+)*$/, {
    message:
      'API_KEYS must be comma-separated tenant:key pairs, e.g. acme:key_acme,globex:key_globex',
  })
  API_KEYS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  ADMIN_API_KEY?: string;

  /** Lets the queue dashboard retry, clean, pause and promote; read-only otherwise. */
  @Bool()
  ADMIN_BOARD_ACTIONS = false;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  CURSOR_SECRET?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/=]+$/, { message: 'WEBHOOK_SECRET must look like whsec_<base64>' })
  WEBHOOK_SECRET?: string;

  @Bool()
  WEBHOOK_ALLOW_PRIVATE_NETWORKS = false;

  @Bool()
  RUN_WORKERS = true;

  @Int(1)
  IDEMPOTENCY_TTL_SECONDS = 86_400;

  /** A 'processing' key whose owner has not finished after this long is presumed dead and taken over. */
  @Int(1)
  IDEMPOTENCY_LOCK_TIMEOUT_SECONDS = 60;

  @Int(1, 10_000_000)
  BULK_MAX_ITEMS = 1_000_000;

  @Int(1024)
  BULK_MAX_JSON_BYTES = 16 * 1024 * 1024;

  @Int(1, 50_000)
  BULK_CHUNK_SIZE = 1000;

  @Int(1, 64)
  WORKER_CONCURRENCY = 2;

  @Int(60)
  JOB_TTL_SECONDS = 7 * 24 * 3600;

  /*
   * Sharing the workers between tenants. Defaults suit one machine: a lone tenant's job can use two
   * processes' worth of default WORKER_CONCURRENCY; nobody can queue an unbounded number of jobs.
   */
  /** Chunks of one tenant applied at once, across every worker process. */
  @Int(1, 1024)
  TENANT_MAX_CONCURRENT_CHUNKS = 4;

  /** Unfinished (pending or processing) jobs per tenant; beyond it POST /bulk-jobs answers 429. */
  @Int(1)
  TENANT_MAX_ACTIVE_JOBS = 100;

  /** Items accepted per tenant per UTC day; unset = no limit. */
  @OptionalInt(1)
  TENANT_MAX_ITEMS_PER_DAY?: number;

  /** How long a Bull worker may hold a chunk before Bull considers it stalled. */
  @Int(1000)
  BULK_LOCK_DURATION_MS = 60_000;

  /** Attempts per queue entry (a chunk's transaction failing, e.g. while the database restarts). */
  @Int(1)
  BULK_ATTEMPTS = 10;

  /** Optional ceiling on chunks per second per queue (protects the database); 0 = unlimited. */
  @Int(0)
  BULK_RATE_LIMIT_CHUNKS_PER_SECOND = 0;

  @Int(1, 64)
  WEBHOOK_CONCURRENCY = 4;

  @Int(1)
  WEBHOOK_ATTEMPTS = 8;

  @Int(100)
  WEBHOOK_TIMEOUT_MS = 15_000;

  /** Base of the webhook retry backoff (doubles per attempt, with jitter). */
  @Int(1)
  WEBHOOK_BACKOFF_BASE_MS = 2_000;

  @Int(1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /*
   * Limits against hostile or careless input. An upload (NDJSON/CSV) is read to the end before any
   * database work starts, so these bound what one request can cost the process.
   */
  /** Bytes of one streamed (NDJSON/CSV) body; beyond it 413. */
  @Int(1024)
  BULK_MAX_BODY_BYTES = 1024 * 1024 * 1024;

  /** Bytes of one NDJSON line or one CSV row; beyond it 413, the upload refused whole. */
  @Int(64)
  BULK_MAX_LINE_BYTES = 1024 * 1024;

  /** Fields of one CSV row (header included); beyond it 413. */
  @Int(1, 100_000)
  BULK_MAX_CSV_FIELDS = 1000;

  /** Bodies of POST /bulk-jobs of one tenant arriving at once in one API process; beyond it 429. */
  @Int(1, 10_000)
  TENANT_MAX_CONCURRENT_UPLOADS = 16;

  /** A request body that sends nothing for this long is dropped (408), nothing stored. */
  @Int(100)
  UPLOAD_IDLE_TIMEOUT_MS = 30_000;

  /**
   * The proxies whose X-Forwarded-For names the client (Express's `trust proxy`: addresses, CIDRs,
   * `loopback`, `linklocal`, `uniquelocal`, comma-separated). Unset: none, the peer is the client.
   */
  /** Wrong tenant keys one client address may send per minute before it is answered 429. */
  @Int(1)
  TENANT_KEY_FAILURES_PER_MINUTE = 10;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^[0-9A-Za-z.:/]+(\s*,\s*[0-9A-Za-z.:/]+)*$/, {
    message:
      'TRUST_PROXY must list addresses, CIDRs or loopback/linklocal/uniquelocal, comma-separated',
  })
  TRUST_PROXY?: string;

  /** Requests per minute per tenant, shared by all API processes through Redis; 0 disables. */
  @Int(0)
  RATE_LIMIT_PER_MINUTE = 60_000;

  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  /** `json` (one object per line) or `text`; unset: `text` when NODE_ENV=development, else `json`. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['json', 'text'])
  LOG_FORMAT?: 'json' | 'text';

  /*
   * OpenTelemetry: the SDK reads these (and every other OTEL_* variable) itself; they are validated
   * here so that a typo stops start-up, and so that whether tracing runs at all is decided here.
   */
  @Transform(toBool)
  @IsOptional()
  @IsBoolean()
  OTEL_SDK_DISABLED?: boolean;

  /** Comma-separated: otlp, console, none (the SDK's own list). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\s*(otlp|console|none)\s*(,\s*(otlp|console|none)\s*)*$/, {
    message: 'OTEL_TRACES_EXPORTER must be a comma-separated list of otlp, console, none',
  })
  OTEL_TRACES_EXPORTER?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\//, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s):// URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^https?:\/\//, {
    message: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s):// URL',
  })
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(['http/protobuf', 'http/json', 'grpc'])
  OTEL_EXPORTER_OTLP_PROTOCOL?: 'http/protobuf' | 'http/json' | 'grpc';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn([
    'always_on',
    'always_off',
    'traceidratio',
    'parentbased_always_on',
    'parentbased_always_off',
    'parentbased_traceidratio',
  ])
  OTEL_TRACES_SAMPLER?: string;

  /** The ratio of the `*traceidratio` samplers, 0 … 1 (the SDK reads it; 0 with `traceidratio` records nothing). */
  @Transform(({ value }: { value: unknown }) =>
    value === undefined || value === '' ? undefined : Number(value),
  )
  @IsOptional()
  @IsNumber({}, { message: 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1' })
  @Min(0)
  @Max(1)
  OTEL_TRACES_SAMPLER_ARG?: number;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  OTEL_SERVICE_NAME?: string;

  /** Worker only: a file touched every few seconds while the event loop runs (container health check). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  WORKER_HEARTBEAT_FILE?: string;
}

/** The log format in effect: LOG_FORMAT, else human-readable text in development and JSON elsewhere. */
export function effectiveLogFormat(
  env: Pick<EnvironmentVariables, 'NODE_ENV' | 'LOG_FORMAT'>,
): 'json' | 'text' {
  return env.LOG_FORMAT ?? (env.NODE_ENV === 'development' ? 'text' : 'json');
}

/**
 * Whether this process traces: only when an exporter is configured (OTEL_TRACES_EXPORTER other than
 * `none`, or an OTLP endpoint) and OTEL_SDK_DISABLED is not true. Unconfigured, the SDK would export
 * to localhost:4318 by default; here nothing starts.
 */
export function tracingEnabled(
  env: Pick<
    EnvironmentVariables,
    | 'OTEL_SDK_DISABLED'
    | 'OTEL_TRACES_EXPORTER'
    | 'OTEL_EXPORTER_OTLP_ENDPOINT'
    | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
  >,
): boolean {
  if (env.OTEL_SDK_DISABLED) return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim());
  if (exporters.includes('none')) return false;
  if (exporters.some((e) => e === 'otlp' || e === 'console')) return true;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Whether the configured sampler can never record a span, whatever the caller sent: `always_off`, or
 * `traceidratio` (which ignores the parent) at 0. Instrumenting would then cost CPU for nothing.
 * The `parentbased_*` samplers can: a caller's sampled `traceparent` turns recording on.
 */
export function samplerNeverRecords(
  env: Pick<EnvironmentVariables, 'OTEL_TRACES_SAMPLER' | 'OTEL_TRACES_SAMPLER_ARG'>,
): boolean {
  return (
    env.OTEL_TRACES_SAMPLER === 'always_off' ||
    (env.OTEL_TRACES_SAMPLER === 'traceidratio' && env.OTEL_TRACES_SAMPLER_ARG === 0)
  );
}

export class ConfigValidationError extends Error {}

/** Validates and types the environment; throws one readable message listing every problem. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const defined = Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''),
  );
  const env = plainToInstance(EnvironmentVariables, defined, { exposeDefaultValues: true });
  const problems = validateSync(env, { skipMissingProperties: false }).flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`),
  );
  if (env.NODE_ENV === 'production') {
    for (const name of ['CURSOR_SECRET', 'API_KEYS', 'WEBHOOK_SECRET'] as const) {
      if (!env[name]) problems.push(`${name}: required when NODE_ENV=production`);
    }
    if (!env.DATABASE_URL)
      problems.push('DATABASE_URL: required when NODE_ENV=production (no embedded database)');
  }
  if (problems.length) {
    throw new ConfigValidationError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return env;
}
