import { validateEnv } from '@app/common';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '..', '..', '..');
const CHECK = join(__dirname, 'compose-check');
const SECRETS_SCRIPT = join(__dirname, 'compose-secrets.sh');
const SECRET_NAMES = [
  'POSTGRES_PASSWORD',
  'API_KEYS',
  'CURSOR_SECRET',
  'WEBHOOK_SECRET',
  'ADMIN_API_KEY',
] as const;

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The environment of this process without any of the secrets (a test sets those it gives). */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  for (const name of SECRET_NAMES) delete env[name];
  return { ...env, ...extra };
};

/** Runs the secrets service's script on `dir` with `given` in its environment; its output. */
const runSecrets = (dir: string, given: Record<string, string> = {}) => {
  const r = spawnSync('sh', [SECRETS_SCRIPT], {
    encoding: 'utf8',
    env: cleanEnv({ SECRETS_DIR: dir, ...given }),
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};
const readSecrets = (dir: string) =>
  Object.fromEntries(
    SECRET_NAMES.map((n) => [n, readFileSync(join(dir, n), 'utf8').replace(/\n$/, '')]),
  ) as Record<(typeof SECRET_NAMES)[number], string>;

describe('compose:check', () => {
  const check = (yaml: string) => {
    const file = join(tempDir(), 'docker-compose.yml');
    writeFileSync(file, yaml);
    const r = spawnSync('node', [CHECK, file], { encoding: 'utf8' });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };
  const service = (environment: Record<string, string>) =>
    [
      'services:',
      '  app:',
      '    image: busybox',
      '    environment:',
      ...Object.entries(environment).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`),
      '',
    ].join('\n');

  it("passes the repository's docker-compose.yml: no secret has a default", () => {
    const r = spawnSync('node', [CHECK], { encoding: 'utf8', cwd: ROOT });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no secret has a default/);
  });

  it.each([
    [
      'an interpolation default',
      { CURSOR_SECRET: '${CURSOR_SECRET:-local-secret}' },
      /\$\{CURSOR_SECRET:-…\} gives the secret a default/,
    ],
    ['a default without the colon', { ADMIN_API_KEY: '${ADMIN_API_KEY-admin}' }, /ADMIN_API_KEY-…/],
    ['a literal value', { API_KEYS: 'demo:demo-key' }, /environment\.API_KEYS: a literal secret/],
    [
      'a literal next to an interpolation',
      { DB_PASSWORD: 'x${SUFFIX}' },
      /DB_PASSWORD: a literal secret/,
    ],
    [
      'a literal password in a URL',
      { DATABASE_URL: 'postgres://bulk:bulk-local@postgres:5432/bulk' },
      /DATABASE_URL: a URL with a literal password/,
    ],
    [
      'a URL whose password has a default',
      { DATABASE_URL: 'postgres://${U}:${POSTGRES_PASSWORD:-bulk-local}@db/x' },
      /POSTGRES_PASSWORD:-…/,
    ],
  ])('refuses %s', (_what, environment, message) => {
    const r = check(service(environment));
    expect(r.status).toBe(1);
    expect(r.output).toMatch(message);
  });

  it('accepts secrets that come from the environment, are generated, or are required', () => {
    const r = check(
      service({
        API_KEYS: '${API_KEYS:-}',
        CURSOR_SECRET: '${CURSOR_SECRET}',
        WEBHOOK_SECRET: '${WEBHOOK_SECRET:?set WEBHOOK_SECRET}',
        ADMIN_API_KEY: '$ADMIN_API_KEY',
        POSTGRES_PASSWORD_FILE: '/run/bulk-secrets/POSTGRES_PASSWORD',
        DATABASE_URL: 'postgres://${POSTGRES_USER:-bulk}:${POSTGRES_PASSWORD}@db:5432/bulk',
        LOG_LEVEL: '${LOG_LEVEL:-log}',
      }),
    );
    expect(r.output).toMatch(/no secret has a default/);
    expect(r.status).toBe(0);
  });
});

describe('compose-secrets.sh (the secrets service)', () => {
  /** app.env as the api and worker containers see it: sourced by sh. */
  const sourced = (dir: string) => {
    const r = spawnSync(
      'sh',
      ['-c', `set -a; . "${dir}/app.env"; set +a; node -p 'JSON.stringify(process.env)'`],
      { encoding: 'utf8', env: cleanEnv() },
    );
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, string | undefined>;
  };

  it('generates every secret at the first start, random, in the forms the service validates', () => {
    const a = tempDir();
    const b = tempDir();
    expect(runSecrets(a)).toMatch(/POSTGRES_PASSWORD generated[\s\S]*ADMIN_API_KEY generated/);
    runSecrets(b);
    const first = readSecrets(a);
    const other = readSecrets(b);
    for (const name of SECRET_NAMES) {
      expect(first[name].length, name).toBeGreaterThanOrEqual(40);
      expect(first[name], name).not.toBe(other[name]);
      // Readable by the other containers' users, writable by no one.
      expect(statSync(join(a, name)).mode & 0o777, name).toBe(0o444);
    }
    expect(first.POSTGRES_PASSWORD).toMatch(/^[0-9a-f]{48}$/); // safe in DATABASE_URL as it is
    expect(first.API_KEYS).toMatch(/^demo:key_[0-9a-f]{48}$/);
    const env = sourced(a);
    expect(env.POSTGRES_PASSWORD).toBeUndefined(); // only the database URL carries it
    const validated = validateEnv({
      NODE_ENV: 'production',
      DATABASE_URL: `postgres://bulk:${first.POSTGRES_PASSWORD}@postgres:5432/bulk`,
      API_KEYS: env.API_KEYS,
      CURSOR_SECRET: env.CURSOR_SECRET,
      WEBHOOK_SECRET: env.WEBHOOK_SECRET,
      ADMIN_API_KEY: env.ADMIN_API_KEY,
    });
    expect(validated.API_KEYS).toBe(first.API_KEYS);
    expect(validated.WEBHOOK_SECRET).toBe(first.WEBHOOK_SECRET);
    expect(validated.ADMIN_API_KEY).toBe(first.ADMIN_API_KEY);
  });

  it('keeps them on later starts, and a value given in the environment wins (quotes and all)', () => {
    const dir = tempDir();
    runSecrets(dir);
    const first = readSecrets(dir);
    expect(runSecrets(dir)).not.toMatch(/generated/);
    expect(readSecrets(dir)).toEqual(first);
    const out = runSecrets(dir, { API_KEYS: "acme:it's-$mine", ADMIN_API_KEY: 'op key' });
    expect(out).toMatch(/API_KEYS given in the environment/);
    expect(out).toMatch(/CURSOR_SECRET kept from an earlier start/);
    const env = sourced(dir);
    expect(env.API_KEYS).toBe("acme:it's-$mine");
    expect(env.ADMIN_API_KEY).toBe('op key');
    expect(env.CURSOR_SECRET).toBe(first.CURSOR_SECRET);
    expect(readSecrets(dir).POSTGRES_PASSWORD).toBe(first.POSTGRES_PASSWORD);
  });
});

describe('docker-compose.yml wiring of the secrets', () => {
  interface Service {
    image?: string;
    entrypoint?: string[];
    command?: string[];
    environment?: Record<string, string>;
    volumes?: string[];
    depends_on?: Record<string, { condition: string }>;
  }
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, Service> };
  const { services } = compose;

  it('every service that mounts the secrets waits for the secrets service to finish', () => {
    const users = Object.entries(services).filter(([name, s]) =>
      (s.volumes ?? []).some((v) => v.startsWith('secrets:') && name !== 'secrets'),
    );
    expect(users.map(([name]) => name).sort()).toEqual(['api', 'pgbouncer', 'postgres', 'worker']);
    for (const [name, s] of users) {
      if (name === 'pgbouncer') continue; // it waits for postgres, which waits for the secrets
      expect(s.depends_on?.secrets, name).toEqual({ condition: 'service_completed_successfully' });
    }
    expect(services.postgres.environment?.POSTGRES_PASSWORD_FILE).toBe(
      '/run/bulk-secrets/POSTGRES_PASSWORD',
    );
  });

  it.each(['api', 'worker'])(
    '%s: its entrypoint gives the service the secrets and the database URLs, then execs the command',
    (name) => {
      const dir = tempDir();
      runSecrets(dir);
      const s = services[name];
      expect(s.command?.[0]).toBe('node');
      // The entrypoint as the container's shell gets it (compose turns $$ into $), on the test's folder.
      const [shell, flag, script, arg0] = s.entrypoint ?? [];
      expect([shell, flag]).toEqual(['/bin/sh', '-c']);
      const body = script.replace(/\$\$/g, '$').replaceAll('/run/bulk-secrets', dir);
      const r = spawnSync('sh', ['-c', body, arg0, 'node', '-p', 'JSON.stringify(process.env)'], {
        encoding: 'utf8',
        env: cleanEnv({ POSTGRES_USER: 'bulk', POSTGRES_DB: 'bulk', DATABASE_HOST: 'pgbouncer' }),
      });
      expect(r.status, r.stderr).toBe(0);
      const env = JSON.parse(r.stdout) as Record<string, string>;
      const secrets = readSecrets(dir);
      expect(env.DATABASE_URL).toBe(
        `postgres://bulk:${secrets.POSTGRES_PASSWORD}@pgbouncer:5432/bulk`,
      );
      expect(env.DATABASE_DIRECT_URL).toBe(
        `postgres://bulk:${secrets.POSTGRES_PASSWORD}@postgres:5432/bulk`,
      );
      for (const key of ['API_KEYS', 'CURSOR_SECRET', 'WEBHOOK_SECRET', 'ADMIN_API_KEY'] as const)
        expect(env[key], key).toBe(secrets[key]);
      // The compose environment itself names no secret.
      for (const key of SECRET_NAMES) expect(s.environment?.[key], key).toBeUndefined();
    },
  );
});
