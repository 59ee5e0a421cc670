// The peer implementation for the idempotency bench: a small Nest app whose `POST /orders` inserts the
// same row into the same Postgres `orders` table as the service, behind @node-idempotency/nestjs.
//
//   POST /orders           with the peer's interceptor (@Idempotent() from @node-idempotency/nestjs)
//   POST /bare/orders      the very same handler without any interceptor (the peer's own baseline)
//   GET  /health/ready     200 once the app listens
//
// No auth and no class-validator: the handler is insertOrder of bench/_lib/nest-app.mjs (a few plain
// checks, one INSERT … RETURNING via `pg`, a pool like the service's).
//
// Env: DATABASE_URL, PORT, PEER_STORAGE=redis|memory, REDIS_URL, PEER_KEY_PREFIX, BENCH_TENANT.
// Plain ESM without decorator syntax: Nest decorators are applied as functions.
import { createRequire } from 'node:module';
import { decorate, insertOrder, serve, servicePool } from '../_lib/nest-app.mjs';

const require = createRequire(import.meta.url);
const { Module, Controller, Post, Get, HttpCode, Body, Res, Logger } = require('@nestjs/common');
const { NodeIdempotencyModule, Idempotent } = require('@node-idempotency/nestjs');

const TENANT = process.env.BENCH_TENANT ?? 'bench';
const STORAGE = process.env.PEER_STORAGE ?? 'redis';
const pool = servicePool('bench-idem-peer');

async function created(body, res) {
  const order = await insertOrder(pool, TENANT, body);
  res.location(`/orders/${order.id}`);
  return order;
}

class OrdersController {
  create(body, res) {
    return created(body, res);
  }
  createBare(body, res) {
    return created(body, res);
  }
  ready() {
    return { status: 'ok', storage: STORAGE };
  }
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

await serve(PeerAppModule, { onClose: () => pool.end() });
new Logger('PeerApp').warn(`listening on ${process.env.PORT} (storage: ${STORAGE})`);
