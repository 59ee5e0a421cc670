import { SqlRunner } from '@app/database';
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

/** Every statement the orders routes run: plain parameterized SQL, one round trip each. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly sql: SqlRunner) {}

  /** Inserts the order; returns it with the timestamps the database set. */
  async insert(order: Omit<Order, 'createdAt' | 'updatedAt'>): Promise<Order> {
    const [row] = await this.sql.rows<{ created_at: Date; updated_at: Date }>({
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
    const [row] = await this.sql.rows<OrderRow>({
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
    const [row] = await this.sql.rows<{ version: number; updated_at: Date }>({
      name: 'orders_set_status',
      text: `UPDATE orders SET status = $4, version = version + 1, updated_at = now()
              WHERE tenant_id = $1 AND id = $2 AND version = $3
              RETURNING version, updated_at`,
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
    const rows = await this.sql.rows<OrderRow & Record<string, unknown>>({
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
}
