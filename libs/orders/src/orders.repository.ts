import { Database } from '@app/database';
import { buildPositionalKeyset, type PageRequest } from '@app/pagination';
import { Injectable } from '@nestjs/common';
import type { Order } from './entities/order.entity';
import type { OrderStatus } from './order-status';

interface OrderRow {
  id: string;
  tenant_id: string;
  customer_id: string;
  amount: string;
  currency: string;
  status: OrderStatus;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at';

const toOrder = (r: OrderRow): Order => ({
  id: r.id,
  tenantId: r.tenant_id,
  customerId: r.customer_id,
  amount: Number(r.amount),
  currency: r.currency,
  status: r.status,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface OrderFilters {
  status?: OrderStatus;
  customerId?: string;
}

/** What a status change writes, whether one order changes or a chunk of them. */
const STATUS_CHANGE = (status: string) =>
  `status = ${status}, version = o.version + 1, updated_at = now()`;

/** A new order of a bulk `create_orders` chunk. */
export interface NewOrderRow {
  id: string;
  customerId: string;
  amount: number;
  currency: string;
  status: OrderStatus;
}

/** Every statement over `orders`: plain parameterized SQL, one round trip each. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the order; returns it with the timestamps the database set. */
  async insert(order: Omit<Order, 'createdAt' | 'updatedAt'>): Promise<Order> {
    const [row] = await this.db.rows<{ created_at: Date; updated_at: Date }>({
      name: 'orders_insert',
      text: `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at, updated_at`,
      values: [
        order.id,
        order.tenantId,
        order.customerId,
        order.amount,
        order.currency,
        order.status,
        order.version,
      ],
    });
    return { ...order, createdAt: row.created_at, updatedAt: row.updated_at };
  }

  async find(tenantId: string, id: string): Promise<Order | null> {
    const [row] = await this.db.rows<OrderRow>({
      name: 'orders_find',
      text: `SELECT ${COLUMNS} FROM orders o WHERE o.tenant_id = $1 AND o.id = $2`,
      values: [tenantId, id],
    });
    return row ? toOrder(row) : null;
  }

  /** Compare-and-set on `version`; null when the order changed (or vanished) meanwhile. */
  async setStatus(
    tenantId: string,
    id: string,
    version: number,
    to: OrderStatus,
  ): Promise<{ version: number; updatedAt: Date } | null> {
    const [row] = await this.db.rows<{ version: number; updated_at: Date }>({
      name: 'orders_set_status',
      text: `UPDATE orders o SET ${STATUS_CHANGE('$4')}
              WHERE o.tenant_id = $1 AND o.id = $2 AND o.version = $3
              RETURNING o.version, o.updated_at`,
      values: [tenantId, id, version, to],
    });
    return row ? { version: row.version, updatedAt: row.updated_at } : null;
  }

  /** One keyset page (`limit + 1` rows, with `__key…` columns for `pageFromRows`). */
  async page(
    tenantId: string,
    filters: OrderFilters,
    page: PageRequest,
  ): Promise<(Order & Record<string, unknown>)[]> {
    const params: unknown[] = [tenantId];
    const where = ['o.tenant_id = $1'];
    if (filters.status) where.push(`o.status = $${params.push(filters.status)}`);
    if (filters.customerId) where.push(`o.customer_id = $${params.push(filters.customerId)}`);
    const ks = buildPositionalKeyset(page.key, page.direction, page.after, params.length + 1);
    if (ks.where) {
      where.push(ks.where);
      params.push(...ks.params);
    }
    const text = `SELECT ${COLUMNS}, ${ks.selects} FROM orders o WHERE ${where.join(' AND ')}
        ORDER BY ${ks.orderBy} LIMIT $${params.push(page.limit + 1)}`;
    // One prepared statement per shape (direction, filters present, page 1 or later).
    const shape = `${filters.status ? 's' : ''}${filters.customerId ? 'c' : ''}${ks.where ? 'k' : ''}`;
    const rows = await this.db.rows<OrderRow & Record<string, unknown>>({
      name: `orders_page_${page.direction}_${shape}`,
      text,
      values: params,
    });
    return rows.map((r) => {
      const order = toOrder(r) as Order & Record<string, unknown>;
      for (let i = 0; i < page.key.length; i++) order[`__key${i}`] = r[`__key${i}`];
      return order;
    });
  }

  /** A bulk chunk's new orders, in one multi-row INSERT (version 1). */
  async insertMany(tenantId: string, orders: readonly NewOrderRow[]): Promise<void> {
    await this.db.rows(
      `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
       SELECT u.id, $1, u.customer_id, u.amount, u.currency, u.status, 1
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])
              AS u(id, customer_id, amount, currency, status)`,
      [
        tenantId,
        orders.map((o) => o.id),
        orders.map((o) => o.customerId),
        orders.map((o) => o.amount),
        orders.map((o) => o.currency),
        orders.map((o) => o.status),
      ],
    );
  }

  /**
   * Locks the tenant's orders among `ids` until the caller's transaction ends; returns their statuses.
   * Probed by primary key: written as an expression, the tenant check stays a filter on the probed
   * rows (so only this tenant's rows are locked) and cannot tempt the planner into a tenant-index
   * scan when statistics lag behind a bulk insert (autovacuum not caught up yet).
   */
  async lockStatuses(tenantId: string, ids: readonly string[]): Promise<Map<string, OrderStatus>> {
    this.db.requireTransaction('locking orders');
    const rows = await this.db.rows<{ id: string; status: OrderStatus }>(
      `SELECT id, status FROM orders WHERE id = ANY($1::text[]) AND (tenant_id || '') = $2
        ORDER BY id FOR UPDATE`,
      [ids, tenantId],
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** Sets the statuses of orders locked by `lockStatuses` in this transaction (joined on the key alone). */
  async setStatuses(changes: readonly { id: string; status: OrderStatus }[]): Promise<void> {
    this.db.requireTransaction('changing locked orders');
    if (!changes.length) return;
    await this.db.rows(
      `UPDATE orders o SET ${STATUS_CHANGE('u.status')}
         FROM unnest($1::text[], $2::text[]) AS u(id, status)
        WHERE o.id = u.id`,
      [changes.map((c) => c.id), changes.map((c) => c.status)],
    );
  }
}
