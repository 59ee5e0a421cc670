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
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { decorate, insertOrder, serve, servicePool } from '../_lib/nest-app.mjs';

const require = createRequire(import.meta.url);
const common = require('@nestjs/common');

const { Module, Controller, Post, Get, HttpCode, Body, Param, Query, Res } = common;
const TENANT = process.env.BENCH_TENANT ?? 'bench';
const SECRET = 'bench-bare-cursor-secret';
const pool = servicePool('bench-requests-bare');

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
    const order = await insertOrder(pool, TENANT, body);
    res.location(`/bare/orders/${order.id}`);
    return order;
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

await serve(BareAppModule, { onClose: () => pool.end() });
