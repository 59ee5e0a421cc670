// The peer implementation for the idempotency bench: a small Nest app whose `POST /orders` inserts the
// same row into the same Postgres `orders` table as the service, behind @node-idempotency/nestjs.
//
//   POST /orders           with the peer's interceptor (@Idempotent() from @node-idempotency/nestjs)
//   POST /bare/orders      the very same handler without any interceptor (the peer's own baseline)
//   GET  /health/ready     200 once the app listens
//
// No auth and no class-validator (a few plain checks only); the handler is one INSERT … RETURNING via
// `pg`, with a pool of 20 like the service (libs/database/src/data-source.ts).
//
// Env: DATABASE_URL, PORT, PEER_STORAGE=redis|memory, REDIS_URL, PEER_KEY_PREFIX, BENCH_TENANT.
// Plain ESM without decorator syntax: Nest decorators are applied as functions.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { Module, Controller, Post, Get, HttpCode, Body, Res, BadRequestException, Logger } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { NodeIdempotencyModule, Idempotent } = require('@node-idempotency/nestjs');
const { Pool } = require('pg');

const TENANT = process.env.BENCH_TENANT ?? 'bench';
const STORAGE = process.env.PEER_STORAGE ?? 'redis';
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
  connectionTimeoutMillis: 5000,
  idleTimeoutMillis: 30_000,
  application_name: 'bench-idem-peer',
});

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Same id scheme as the service's newId('ord'). */
function newId(prefix) {
  let n = BigInt(`0x${randomBytes(16).toString('hex')}`);
  let out = '';
  for (let i = 0; i < 20; i++) {
    out += ALPHABET[Number(n % 36n)];
    n /= 36n;
  }
  return `${prefix}_${out}`;
}

async function insertOrder(body) {
  if (!body || typeof body !== 'object') throw new BadRequestException('JSON body required');
  const { customer_id, amount, currency } = body;
  if (typeof customer_id !== 'string' || !customer_id) throw new BadRequestException('customer_id');
  if (!Number.isInteger(amount) || amount < 0) throw new BadRequestException('amount');
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw new BadRequestException('currency');
  const id = newId('ord');
  const { rows } = await pool.query(
    `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
     VALUES ($1, $2, $3, $4, $5, 'pending', 1)
     RETURNING created_at, updated_at`,
    [id, TENANT, customer_id, amount, currency],
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

class OrdersController {
  async create(body, res) {
    const order = await insertOrder(body);
    res.location(`/orders/${order.id}`);
    return order;
  }
  async createBare(body, res) {
    const order = await insertOrder(body);
    res.location(`/orders/${order.id}`);
    return order;
  }
  ready() {
    return { status: 'ok', storage: STORAGE };
  }
}

function decorate(Cls, method, decorators, params = []) {
  const proto = Cls.prototype;
  let descriptor = Object.getOwnPropertyDescriptor(proto, method);
  for (const d of [...decorators].reverse()) descriptor = d(proto, method, descriptor) ?? descriptor;
  Object.defineProperty(proto, method, descriptor);
  params.forEach((p, i) => p(proto, method, i));
}
decorate(OrdersController, 'create', [Post('orders'), HttpCode(201), Idempotent()], [Body(), Res({ passthrough: true })]);
decorate(OrdersController, 'createBare', [Post('bare/orders'), HttpCode(201)], [Body(), Res({ passthrough: true })]);
decorate(OrdersController, 'ready', [Get('health/ready')]);
Controller()(OrdersController);

class PeerAppModule {}
Module({
  imports: [
    NodeIdempotencyModule.forRootAsync({
      storage:
        STORAGE === 'redis'
          ? { adapter: 'redis', options: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } }
          : { adapter: 'memory' },
      cacheKeyPrefix: process.env.PEER_KEY_PREFIX ?? 'node-idempotency',
    }),
  ],
  controllers: [OrdersController],
})(PeerAppModule);

async function main() {
  const app = await NestFactory.create(PeerAppModule, { logger: ['error', 'warn'] });
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  await app.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
  new Logger('PeerApp').warn(`listening on ${process.env.PORT} (storage: ${STORAGE})`);
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
