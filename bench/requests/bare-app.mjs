// The baseline for the request-path bench: a bare Nest app (Express platform, no guards, pipes,
// interceptors, CLS or request logging) doing the same SQL as the service's orders routes, with a
// `pg` pool of 20 like the service.
//
//   POST /bare/orders            plain checks of the body, one INSERT … RETURNING, 201 + Location
//   GET  /bare/orders/:id        one SELECT by tenant and id, 404 when absent
//   GET  /bare/orders?limit=20   keyset page 1 (LIMIT 21) with an HMAC-signed next cursor and Link header
//   GET  /health/ready
//
// Env: DATABASE_URL, PORT, BENCH_TENANT. Plain ESM without decorator syntax (decorators applied as functions).
import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const common = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { Pool } = require('pg');

const { Module, Controller, Post, Get, HttpCode, Body, Param, Query, Res } = common;
const TENANT = process.env.BENCH_TENANT ?? 'bench';
const SECRET = 'bench-bare-cursor-secret';
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
  connectionTimeoutMillis: 5000,
  idleTimeoutMillis: 30_000,
  application_name: 'bench-requests-bare',
});

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** 20 base-36 characters from 128 random bits, like the service's ids. */
function newId(prefix) {
  let n = BigInt(`0x${randomBytes(16).toString('hex')}`);
  let out = '';
  for (let i = 0; i < 20; i++) {
    out += ALPHABET[Number(n % 36n)];
    n /= 36n;
  }
  return `${prefix}_${out}`;
}

const COLUMNS = 'id, customer_id, amount, currency, status, version, created_at, updated_at';
const toDto = (r) => ({
  id: r.id,
  customer_id: r.customer_id,
  amount: Number(r.amount),
  currency: r.currency,
  status: r.status,
  version: r.version,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

class BareController {
  async create(body, res) {
    const { customer_id, amount, currency } = body ?? {};
    if (typeof customer_id !== 'string' || !customer_id)
      throw new common.BadRequestException('customer_id');
    if (!Number.isInteger(amount) || amount < 0) throw new common.BadRequestException('amount');
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency))
      throw new common.BadRequestException('currency');
    const id = newId('ord');
    const { rows } = await pool.query(
      `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
       VALUES ($1, $2, $3, $4, $5, 'pending', 1) RETURNING created_at, updated_at`,
      [id, TENANT, customer_id, amount, currency],
    );
    res.location(`/bare/orders/${id}`);
    return toDto({ id, customer_id, amount, currency, status: 'pending', version: 1, ...rows[0] });
  }

  async get(id) {
    const { rows } = await pool.query(
      `SELECT ${COLUMNS} FROM orders WHERE tenant_id = $1 AND id = $2`,
      [TENANT, id],
    );
    if (!rows.length) throw new common.NotFoundException();
    return toDto(rows[0]);
  }

  async list(query, res) {
    const limit = Math.min(100, Math.max(1, Number(query.limit ?? 20) || 20));
    const { rows } = await pool.query(
      `SELECT ${COLUMNS}, created_at::text AS k0 FROM orders WHERE tenant_id = $1
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      [TENANT, limit + 1],
    );
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    let next = null;
    if (more) {
      const last = items[items.length - 1];
      const body = Buffer.from(JSON.stringify({ v: 1, k: [last.k0, last.id] })).toString(
        'base64url',
      );
      next = `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
      res.setHeader('Link', `</bare/orders?limit=${limit}&cursor=${next}>; rel="next"`);
    }
    return { data: items.map(toDto), has_more: more, next_cursor: next };
  }

  ready() {
    return { status: 'ok' };
  }
}

function decorate(Cls, method, decorators, params = []) {
  const proto = Cls.prototype;
  let descriptor = Object.getOwnPropertyDescriptor(proto, method);
  for (const d of [...decorators].reverse())
    descriptor = d(proto, method, descriptor) ?? descriptor;
  Object.defineProperty(proto, method, descriptor);
  params.forEach((p, i) => p(proto, method, i));
}
decorate(
  BareController,
  'create',
  [Post('bare/orders'), HttpCode(201)],
  [Body(), Res({ passthrough: true })],
);
decorate(BareController, 'get', [Get('bare/orders/:id')], [Param('id')]);
decorate(BareController, 'list', [Get('bare/orders')], [Query(), Res({ passthrough: true })]);
decorate(BareController, 'ready', [Get('health/ready')]);
Controller()(BareController);

class BareAppModule {}
Module({ controllers: [BareController] })(BareAppModule);

async function main() {
  const app = await NestFactory.create(BareAppModule, { logger: ['error', 'warn'] });
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  await app.listen(Number(process.env.PORT ?? 3200), '127.0.0.1');
  const stop = async () => {
    await app.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
