import { ORDER_STATUSES } from '../order-status';
import type { Order } from '../entities/order.entity';

/** An order as the API shows it. */
export class OrderDto {
  /** @example ord_3k9x0m2q7c1v8b4n5z6a */
  id: string;
  /** @example cus_42 */
  customer_id: string;
  /** Integer minor units (e.g. cents), ≥ 0. @example 1999 */
  amount: number;
  /** ISO 4217 code. @example EUR */
  currency: string;
  /** pending → paid | cancelled, paid → shipped | cancelled, shipped → delivered. */
  status: (typeof ORDER_STATUSES)[number];
  /** Incremented on every change. @example 1 */
  version: number;
  /** @example 2026-01-13T15:15:00.000Z */
  created_at: string;
  /** @example 2026-01-13T15:15:00.000Z */
  updated_at: string;

  static from(order: Order): OrderDto {
    const dto = new OrderDto();
    dto.id = order.id;
    dto.customer_id = order.customerId;
    dto.amount = order.amount;
    dto.currency = order.currency;
    dto.status = order.status;
    dto.version = order.version;
    dto.created_at = order.createdAt.toISOString();
    dto.updated_at = order.updatedAt.toISOString();
    return dto;
  }
}
