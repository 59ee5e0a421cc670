// What the small Nest apps run beside the service share (the idempotency peer, the request-path
// baseline, the pagination competitors): decorators applied without decorator syntax (plain ESM),
// the service's id scheme, Postgres pool settings like the service's, and the bootstrap.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { BadRequestException } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { Pool } = require('pg');

/** Method decorators (outermost first) and parameter decorators (by position) of `Cls.prototype[method]`. */
export function decorate(Cls, method, decorators, params = []) {
  const proto = Cls.prototype;
  let descriptor = Object.getOwnPropertyDescriptor(proto, method);
  for (const d of [...decorators].reverse())
    descriptor = d(proto, method, descriptor) ?? descriptor;
  Object.defineProperty(proto, method, descriptor);
  params.forEach((p, i) => p(proto, method, i));
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** 20 base-36 characters from 128 random bits after `<prefix>_`, like the service's newId('ord'). */
export function newId(prefix) {
  let n = BigInt(`0x${randomBytes(16).toString('hex')}`);
  let out = '';
  for (let i = 0; i < 20; i++) {
    out += ALPHABET[Number(n % 36n)];
    n /= 36n;
  }
  return `${prefix}_${out}`;
}

/** The service's pool settings (libs/database/src/data-source.ts), named for pg_stat_activity. */
export const poolSettings = (appName) => ({
  max: 20,
  connectionTimeoutMillis: 5000,
  idleTimeoutMillis: 30_000,
  application_name: appName,
});

/** A `pg` pool on DATABASE_URL with the service's settings. */
export const servicePool = (appName) =>
  new Pool({ connectionString: process.env.DATABASE_URL, ...poolSettings(appName) });

/**
 * The service's `POST /orders` without its framework: a few plain checks of the body and one
 * `INSERT … RETURNING`; the order as the service answers it.
 */
export async function insertOrder(pool, tenant, body) {
  if (!body || typeof body !== 'object') throw new BadRequestException('JSON body required');
  const { customer_id, amount, currency } = body;
  if (typeof customer_id !== 'string' || !customer_id) throw new BadRequestException('customer_id');
  if (!Number.isInteger(amount) || amount < 0) throw new BadRequestException('amount');
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
    throw new BadRequestException('currency');
  const id = newId('ord');
  const { rows } = await pool.query(
    `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
     VALUES ($1, $2, $3, $4, $5, 'pending', 1) RETURNING created_at, updated_at`,
    [id, tenant, customer_id, amount, currency],
  );
  return {
    id,
    customer_id,
    amount,
    currency,
    status: 'pending',
    version: 1,
    created_at: rows[0].created_at.toISOString(),
    updated_at: rows[0].updated_at.toISOString(),
  };
}

/**
 * Creates the app (Express, warnings and errors only) and listens on 127.0.0.1:PORT; SIGTERM or
 * SIGINT closes it, then `onClose` (pools), then exits. A failure to start exits 1.
 */
export function serve(Module, { onClose = async () => undefined } = {}) {
  const start = async () => {
    const app = await NestFactory.create(Module, { logger: ['error', 'warn'] });
    app.getHttpAdapter().getInstance().disable('x-powered-by');
    await app.listen(Number(process.env.PORT), '127.0.0.1');
    let closing = false;
    const stop = async () => {
      if (closing) return;
      closing = true;
      await app.close().catch(() => undefined);
      await onClose().catch(() => undefined);
      process.exit(0);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return app;
  };
  return start().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
