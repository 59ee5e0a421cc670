// The other implementations of `GET /orders` (newest first, one tenant), as one small Nest app over
// the same database and the same `orders` table as the service, started from the built entity:
//
//   GET /offset/orders?limit=&offset=        hand-written OFFSET: ORDER BY created_at DESC, id DESC LIMIT n OFFSET m
//   GET /np-cursor/orders?limit=&cursor=     nestjs-paginate, PaginationType.CURSOR (its cursor mode)
//   GET /np-page/orders?limit=&page=         nestjs-paginate, its default mode (page numbers, take/skip)
//   GET /tcp/orders?limit=&cursor=&order=    typeorm-cursor-pagination, keys (createdAt, id)
//
// and a few helpers for the bench driver: /_ready, /_capture (record the SQL TypeORM sends),
// /tcp/mint (the library's own cursor for a given row) and /sql/ours (the service's page SQL, built by
// the service's own PaginationService from the build, for EXPLAIN).
//
// Env: DATABASE_URL, PORT, BENCH_DIST (the build: bench/pagination/.work/dist), BENCH_TENANT.
// Plain ESM without decorator syntax: Nest decorators are applied as functions.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { decorate, poolSettings, serve } from '../_lib/nest-app.mjs';

const require = createRequire(import.meta.url);
const { Controller, Get, Query, Module, BadRequestException, InternalServerErrorException } = require('@nestjs/common');
const { DataSource } = require('typeorm');
const { paginate, Paginate, PaginationType } = require('nestjs-paginate');
const { buildPaginator } = require('typeorm-cursor-pagination');

const DIST = process.env.BENCH_DIST;
const TENANT = process.env.BENCH_TENANT ?? 'bench';
const { Order } = require(join(DIST, 'libs/orders/src/entities/order.entity.js'));
const { OrderDto } = require(join(DIST, 'libs/orders/src/dto/order.dto.js'));
const { ORDER_PAGE_KEY } = require(join(DIST, 'libs/orders/src/orders.service.js'));
const { PaginationService } = require(join(DIST, 'libs/pagination/src/pagination.service.js'));

// Records the SQL that TypeORM sends while capture is on (off during the timed requests).
const capture = { on: false, queries: [] };
const captureLogger = {
  logQuery(query, parameters) {
    if (capture.on) capture.queries.push({ sql: query, params: parameters ?? [] });
  },
  logQueryError() {},
  logQuerySlow() {},
  logSchemaBuild() {},
  logMigration() {},
  log() {},
};

const ds = new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: [Order],
  synchronize: false,
  logging: ['query'],
  logger: captureLogger,
  // Same pool settings as the service (libs/database/src/data-source.ts).
  extra: poolSettings('bench-competitors'),
});
const repo = () => ds.getRepository(Order);
const scoped = () => repo().createQueryBuilder('o').where('o.tenant_id = :tenantId', { tenantId: TENANT });

function parseLimit(raw) {
  const n = Number(raw ?? 20);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new BadRequestException('limit must be 1..100');
  return n;
}

/** A GET route of `Cls` (decorators applied as functions), with its parameter decorators. */
const route = (Cls, method, path, ...params) => decorate(Cls, method, [Get(path)], params);

// ---------------------------------------------------------------- (b) OFFSET
class OffsetController {
  async list(q) {
    const limit = parseLimit(q.limit);
    const offset = Number(q.offset ?? 0);
    if (!Number.isInteger(offset) || offset < 0) throw new BadRequestException('offset must be ≥ 0');
    const rows = await scoped()
      .orderBy('o.created_at', 'DESC')
      .addOrderBy('o.id', 'DESC')
      .limit(limit + 1)
      .offset(offset)
      .getMany();
    const hasMore = rows.length > limit;
    return { data: rows.slice(0, limit).map((o) => OrderDto.from(o)), has_more: hasMore, next_offset: hasMore ? offset + limit : null };
  }
}
Controller('offset/orders')(OffsetController);
route(OffsetController, 'list', '', Query());

// ---------------------------------------------------------------- (c) nestjs-paginate
const NP_COMMON = { sortableColumns: ['createdAt', 'id'], defaultLimit: 20, maxLimit: 100 };
// Cursor mode: its cursor is built from the sort values as numbers (dates as epoch milliseconds), so
// the text id cannot be part of it; the sort is created_at alone.
const NP_CURSOR = { ...NP_COMMON, defaultSortBy: [['createdAt', 'DESC']], paginationType: PaginationType.CURSOR };
// Default mode: page numbers (take/skip → LIMIT/OFFSET) plus a COUNT(*) for totalItems/totalPages.
const NP_PAGE = { ...NP_COMMON, defaultSortBy: [['createdAt', 'DESC'], ['id', 'DESC']] };

/** Keeps the 500 but says why (the driver's message), so the report can quote it. */
async function explained(promise) {
  try {
    return await promise;
  } catch (e) {
    if (e?.getStatus) throw e;
    throw new InternalServerErrorException(`${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`);
  }
}

class NpCursorController {
  list(query) {
    return explained(paginate(query, scoped(), NP_CURSOR));
  }
}
Controller('np-cursor/orders')(NpCursorController);
route(NpCursorController, 'list', '', Paginate());

class NpPageController {
  list(query) {
    return explained(paginate(query, scoped(), NP_PAGE));
  }
}
Controller('np-page/orders')(NpPageController);
route(NpPageController, 'list', '', Paginate());

// ---------------------------------------------------------------- (d) typeorm-cursor-pagination
function tcpPaginator(q) {
  const order = (q.order ?? 'DESC').toUpperCase();
  if (order !== 'ASC' && order !== 'DESC') throw new BadRequestException('order must be ASC or DESC');
  return buildPaginator({
    entity: Order,
    alias: 'o',
    paginationKeys: ['createdAt', 'id'],
    query: { limit: parseLimit(q.limit), order, afterCursor: q.cursor || undefined },
  });
}

class TcpController {
  async list(q) {
    const { data, cursor } = await tcpPaginator(q).paginate(scoped());
    return { data: data.map((o) => OrderDto.from(o)), has_more: cursor.afterCursor !== null, next_cursor: cursor.afterCursor };
  }

  /** The cursor the library itself would emit after the row `id` (its `encode`). */
  async mint(q) {
    const entity = await repo().findOneBy({ tenantId: TENANT, id: String(q.id) });
    if (!entity) throw new BadRequestException('no such row');
    return { cursor: tcpPaginator({ order: q.order }).encode(entity) };
  }
}
Controller('tcp')(TcpController);
route(TcpController, 'list', 'orders', Query());
route(TcpController, 'mint', 'mint', Query());

// ---------------------------------------------------------------- helpers for the driver
class BenchController {
  async ready() {
    await ds.query('SELECT 1');
    return { ok: true };
  }

  capture(q) {
    if (q.on === '1') {
      capture.queries = [];
      capture.on = true;
      return { on: true };
    }
    capture.on = false;
    const queries = capture.queries;
    capture.queries = [];
    return { queries };
  }

  /** The SQL the service's list runs for a page after key (k0, k1): OrdersService.list + PaginationService.paginate. */
  async oursSql(q) {
    const qb = scoped();
    let captured = null;
    qb.getRawAndEntities = async () => {
      captured = qb.getQueryAndParameters();
      return { entities: [], raw: [] };
    };
    const after = q.k0 !== undefined ? [String(q.k0), String(q.k1)] : null;
    await new PaginationService().paginate(qb, { limit: parseLimit(q.limit), after, key: ORDER_PAGE_KEY, direction: 'desc' });
    return { sql: captured[0], params: captured[1] };
  }
}
Controller('_bench')(BenchController);
route(BenchController, 'ready', 'ready');
route(BenchController, 'capture', 'capture', Query());
route(BenchController, 'oursSql', 'ours-sql', Query());

class CompetitorsModule {}
Module({ controllers: [OffsetController, NpCursorController, NpPageController, TcpController, BenchController] })(CompetitorsModule);

await ds.initialize();
await serve(CompetitorsModule, { onClose: () => ds.destroy() });
console.log(`competitors listening on ${process.env.PORT}`);
