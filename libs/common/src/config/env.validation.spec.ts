import { describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  EnvironmentVariables,
  samplerNeverRecords,
  tracingEnabled,
  validateEnv,
} from './env.validation';

const PRODUCTION = {
  NODE_ENV: 'production',
  CURSOR_SECRET: 'cursor-secret',
  API_KEYS: 'acme:key_acme,globex:key_globex',
  WEBHOOK_SECRET: 'whsec_dGVzdA==',
  DATABASE_URL: 'postgres://user:pass@db:5432/app',
};

function errorOf(raw: Record<string, unknown>): ConfigValidationError {
  let thrown: unknown;
  try {
    validateEnv(raw);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ConfigValidationError);
  return thrown as ConfigValidationError;
}

describe('validateEnv', () => {
  describe('defaults', () => {
    it('fills every default from an empty environment', () => {
      const env = validateEnv({});
      expect(env).toBeInstanceOf(EnvironmentVariables);
      expect(env).toMatchObject({
        NODE_ENV: 'development',
        PORT: 3000,
        REDIS_URL: 'redis://127.0.0.1:6379',
        RUN_WORKERS: true,
        IDEMPOTENCY_TTL_SECONDS: 86400,
        BULK_MAX_ITEMS: 1_000_000,
        BULK_MAX_JSON_BYTES: 16 * 1024 * 1024,
        BULK_CHUNK_SIZE: 1000,
        JOB_TTL_SECONDS: 604800,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
        WORKER_CONCURRENCY: 2,
        BODY_LIMIT_BYTES: 1024 * 1024,
        BULL_PREFIX: 'bull',
        LOG_LEVEL: 'log',
      });
      for (const unset of ['DATABASE_URL', 'API_KEYS', 'CURSOR_SECRET', 'WEBHOOK_SECRET'] as const)
        expect(env[unset], unset).toBeUndefined();
    });

    it('ignores undefined values', () => {
      const env = validateEnv({ PORT: undefined, RUN_WORKERS: undefined, REDIS_URL: undefined });
      expect(env).toMatchObject({
        PORT: 3000,
        RUN_WORKERS: true,
        REDIS_URL: 'redis://127.0.0.1:6379',
      });
    });

    it('treats empty strings as unset', () => {
      const env = validateEnv({
        NODE_ENV: '',
        PORT: '',
        REDIS_URL: '',
        DATABASE_URL: '',
        API_KEYS: '',
        WEBHOOK_SECRET: '',
        RUN_WORKERS: '',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: '',
        BULK_CHUNK_SIZE: '',
        LOG_LEVEL: '',
      });
      expect(env).toMatchObject({
        NODE_ENV: 'development',
        PORT: 3000,
        REDIS_URL: 'redis://127.0.0.1:6379',
        RUN_WORKERS: true,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: false,
        BULK_CHUNK_SIZE: 1000,
        LOG_LEVEL: 'log',
      });
      for (const unset of ['DATABASE_URL', 'API_KEYS', 'WEBHOOK_SECRET'] as const)
        expect(env[unset], unset).toBeUndefined();
    });

    it('ignores unrelated variables', () => {
      expect(() =>
        validateEnv({ HOME: '/root', PATH: '/usr/bin', npm_config_foo: 'x' }),
      ).not.toThrow();
    });
  });

  describe('conversion', () => {
    it('converts numeric strings to numbers', () => {
      const numbers = {
        PORT: 8080,
        IDEMPOTENCY_TTL_SECONDS: 60,
        BULK_MAX_ITEMS: 500,
        BULK_MAX_JSON_BYTES: 2048,
        BULK_CHUNK_SIZE: 250,
        WORKER_CONCURRENCY: 8,
        JOB_TTL_SECONDS: 3600,
        BODY_LIMIT_BYTES: 4096,
      };
      const asStrings = Object.fromEntries(Object.entries(numbers).map(([k, v]) => [k, String(v)]));
      expect(validateEnv(asStrings)).toMatchObject(numbers);
    });

    it('accepts PORT 0 and 65535 (bounds)', () => {
      expect(validateEnv({ PORT: '0' }).PORT).toBe(0);
      expect(validateEnv({ PORT: '65535' }).PORT).toBe(65535);
    });

    it('accepts numbers that are already numbers', () => {
      expect(validateEnv({ PORT: 9000 }).PORT).toBe(9000);
    });

    it.each([
      ['false', false],
      ['0', false],
      ['no', false],
      ['FALSE', false],
      ['true', true],
      ['1', true],
      ['yes', true],
      ['True', true],
    ])('converts RUN_WORKERS %j to %s', (raw, expected) => {
      expect(validateEnv({ RUN_WORKERS: raw }).RUN_WORKERS).toBe(expected);
    });

    it.each([
      ['true', true],
      ['1', true],
      ['false', false],
    ])('converts WEBHOOK_ALLOW_PRIVATE_NETWORKS %j to %s', (raw, expected) => {
      const env = validateEnv({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: raw });
      expect(env.WEBHOOK_ALLOW_PRIVATE_NETWORKS).toBe(expected);
    });

    it('accepts booleans that are already booleans', () => {
      expect(validateEnv({ RUN_WORKERS: false }).RUN_WORKERS).toBe(false);
    });

    it('keeps valid strings as given', () => {
      const given = {
        REDIS_URL: 'rediss://cache:6380/1',
        DATABASE_URL: 'postgresql://u@h/db',
        API_KEYS: 'acme:key_acme',
        WEBHOOK_SECRET: 'whsec_abc+/=',
        LOG_LEVEL: 'debug',
        NODE_ENV: 'test',
        BULL_PREFIX: 'myq',
      };
      expect(validateEnv(given)).toMatchObject(given);
    });
  });

  describe('invalid values', () => {
    it.each([
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['PORT', '-1'],
      ['PORT', '80.5'],
      ['REDIS_URL', 'http://x'],
      ['DATABASE_URL', 'mysql://x'],
      ['API_KEYS', 'nocolon'],
      ['API_KEYS', 'a:b,'],
      ['API_KEYS', 'a:b,c'],
      ['API_KEYS', ':key'],
      ['API_KEYS', 'a:b c:d'],
      ['WEBHOOK_SECRET', 'abc'],
      ['WEBHOOK_SECRET', 'whsec_'],
      ['RUN_WORKERS', 'maybe'],
      ['WEBHOOK_ALLOW_PRIVATE_NETWORKS', 'sure'],
      ['LOG_LEVEL', 'loud'],
      ['NODE_ENV', 'staging'],
      ['BULK_CHUNK_SIZE', '0'],
      ['BULK_CHUNK_SIZE', '50001'],
      ['BULK_MAX_ITEMS', '10000001'],
      ['BULK_MAX_JSON_BYTES', '1023'],
      ['WORKER_CONCURRENCY', '65'],
      ['JOB_TTL_SECONDS', '59'],
      ['IDEMPOTENCY_TTL_SECONDS', '0'],
      ['BODY_LIMIT_BYTES', '1k'],
    ])('%s=%j throws a ConfigValidationError naming the variable', (name, value) => {
      const err = errorOf({ [name]: value });
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/^Invalid configuration:/);
      expect(err.message).toContain(`- ${name}: `);
    });

    it('names only the faulty variable', () => {
      const err = errorOf({ PORT: 'abc', REDIS_URL: 'redis://ok:6379' });
      expect(err.message).toContain('PORT');
      expect(err.message).not.toContain('REDIS_URL');
    });

    it.each([
      ['REDIS_URL', 'http://x', 'REDIS_URL must be a redis:// or rediss:// URL'],
      ['DATABASE_URL', 'mysql://x', 'DATABASE_URL must be a postgres:// URL'],
      ['API_KEYS', 'nocolon', 'API_KEYS must be comma-separated tenant:key pairs'],
      ['WEBHOOK_SECRET', 'abc', 'WEBHOOK_SECRET must look like whsec_<base64>'],
    ])('uses the custom message of the pattern check of %s', (name, value, message) => {
      expect(errorOf({ [name]: value }).message).toContain(message);
    });

    it('lists every problem in one message, one per line', () => {
      const err = errorOf({
        PORT: 'abc',
        REDIS_URL: 'http://x',
        DATABASE_URL: 'mysql://x',
        API_KEYS: 'nocolon',
        WEBHOOK_SECRET: 'abc',
        RUN_WORKERS: 'maybe',
        LOG_LEVEL: 'loud',
      });
      const lines = err.message.split('\n').slice(1);
      for (const name of [
        'PORT',
        'REDIS_URL',
        'DATABASE_URL',
        'API_KEYS',
        'WEBHOOK_SECRET',
        'RUN_WORKERS',
        'LOG_LEVEL',
      ]) {
        expect(lines.some((l) => l.startsWith(`  - ${name}: `))).toBe(true);
      }
      expect(lines.every((l) => l.startsWith('  - '))).toBe(true);
    });
  });

  describe('production', () => {
    it('requires CURSOR_SECRET, API_KEYS, WEBHOOK_SECRET and DATABASE_URL', () => {
      const err = errorOf({ NODE_ENV: 'production' });
      for (const name of ['CURSOR_SECRET', 'API_KEYS', 'WEBHOOK_SECRET', 'DATABASE_URL'])
        expect(err.message).toContain(`${name}: required when NODE_ENV=production`);
    });

    it.each(Object.keys(PRODUCTION).filter((k) => k !== 'NODE_ENV'))(
      'requires %s on its own',
      (name) => {
        const err = errorOf({ ...PRODUCTION, [name]: undefined });
        expect(err.message).toContain(`${name}: required when NODE_ENV=production`);
        const others = Object.keys(PRODUCTION).filter((k) => k !== name && k !== 'NODE_ENV');
        for (const other of others) expect(err.message).not.toContain(other);
      },
    );

    it('treats an empty string as missing in production', () => {
      expect(errorOf({ ...PRODUCTION, CURSOR_SECRET: '' }).message).toContain(
        'CURSOR_SECRET: required',
      );
    });

    it('passes with all of them set', () => {
      expect(validateEnv(PRODUCTION)).toMatchObject(PRODUCTION);
    });

    it('still reports invalid formats in production alongside missing ones', () => {
      const err = errorOf({ ...PRODUCTION, WEBHOOK_SECRET: 'abc', CURSOR_SECRET: undefined });
      expect(err.message).toContain('WEBHOOK_SECRET must look like whsec_<base64>');
      expect(err.message).toContain('CURSOR_SECRET: required when NODE_ENV=production');
    });

    it('does not require them outside production', () => {
      expect(() => validateEnv({ NODE_ENV: 'development' })).not.toThrow();
      expect(() => validateEnv({ NODE_ENV: 'test' })).not.toThrow();
    });
  });

  describe('OpenTelemetry', () => {
    const enabled = (raw: Record<string, unknown>) => tracingEnabled(validateEnv(raw));

    it('is off when nothing names an exporter (the SDK would default to localhost:4318)', () => {
      expect(enabled({})).toBe(false);
      expect(
        enabled({
          OTEL_SERVICE_NAME: 'svc',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_TRACES_SAMPLER: 'always_on',
        }),
      ).toBe(false);
    });

    it.each([
      [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
      [{ OTEL_TRACES_EXPORTER: 'console' }, true],
      [{ OTEL_TRACES_EXPORTER: 'otlp, console' }, true],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
      [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo:4318/v1/traces' }, true],
      [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, false],
      [{ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }, false],
      [{ OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' }, true],
    ])('%j → tracing %s', (raw, expected) => {
      expect(enabled(raw)).toBe(expected);
    });

    it.each([
      [{ OTEL_TRACES_SAMPLER: 'always_off' }, true],
      [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }, true],
      [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }, false],
      // A caller's sampled traceparent still turns these on: they must stay instrumented.
      [{ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, false],
      [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }, false],
      [{}, false],
    ])('sampler %j never records: %s', (raw, expected) => {
      expect(samplerNeverRecords(validateEnv({ OTEL_TRACES_EXPORTER: 'otlp', ...raw }))).toBe(
        expected,
      );
    });

    it.each([
      ['OTEL_TRACES_SAMPLER_ARG', '2'],
      ['OTEL_TRACES_SAMPLER_ARG', 'half'],
      ['OTEL_TRACES_EXPORTER', 'jaeger'],
      ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http'],
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
      ['OTEL_TRACES_SAMPLER', 'sometimes'],
      ['OTEL_SDK_DISABLED', 'perhaps'],
    ])('%s=%j stops start-up with a message naming it', (name, value) => {
      expect(errorOf({ [name]: value }).message).toContain(`- ${name}: `);
    });

    it('accepts both OTLP HTTP encodings', () => {
      for (const protocol of ['http/protobuf', 'http/json'] as const) {
        expect(
          validateEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: protocol }).OTEL_EXPORTER_OTLP_PROTOCOL,
        ).toBe(protocol);
      }
    });
  });
});
