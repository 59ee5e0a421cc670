#!/usr/bin/env node
// The naive baseline for bench/bulk: one Bull job per item, each item loaded and saved through the
// TypeORM repository (findOneBy + save of the loaded entity: per-item queries and a per-item
// transaction), with the same status-machine check as the service. Started by index.mjs as a child
// process; prints `ready` once it consumes the queue.
//
// env: NAIVE_DIST (a dist/ snapshot: the service's Order entity and status machine), DATABASE_URL,
//      REDIS_URL, NAIVE_PREFIX (Bull prefix), NAIVE_QUEUE, NAIVE_CONCURRENCY (default 2)
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const Bull = require('bull');
const { DataSource } = require('typeorm');

const DIST = process.env.NAIVE_DIST;
const { Order } = require(join(DIST, 'libs/orders/src/entities/order.entity.js'));
const { transition } = require(join(DIST, 'libs/orders/src/order-status.js'));
const concurrency = Number(process.env.NAIVE_CONCURRENCY ?? 2);

const ds = new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: [Order],
  synchronize: false,
  extra: { max: 10, application_name: 'bench-naive' },
});
await ds.initialize();
const repo = ds.getRepository(Order);

const queue = new Bull(process.env.NAIVE_QUEUE ?? 'naive-orders', process.env.REDIS_URL, {
  prefix: process.env.NAIVE_PREFIX,
});

let done = 0;
let failed = 0;
queue.process('update', concurrency, async (job) => {
  const { tenantId, id, status } = job.data;
  const order = await repo.findOneBy({ tenantId, id });
  if (!order) throw new Error(`order ${id} not found`);
  const outcome = transition(order.status, status);
  if (outcome === 'invalid') throw new Error(`order ${id} cannot move from ${order.status} to ${status}`);
  if (outcome === 'changed') {
    order.status = status;
    order.version += 1;
    order.updatedAt = new Date();
    await repo.save(order);
  }
  return { ok: true };
});
queue.on('completed', () => done++);
queue.on('failed', (job, err) => {
  failed++;
  if (failed <= 5) console.error(`naive job ${job.id} failed: ${err.message}`);
});
await queue.isReady();
console.log(`ready (concurrency ${concurrency})`);

const shutdown = async () => {
  try {
    await queue.close();
    await ds.destroy();
  } finally {
    console.log(`naive worker stopped: ${done} completed, ${failed} failed`);
    process.exit(0);
  }
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
