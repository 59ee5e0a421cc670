import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

const bigintAsNumber = {
  to: (v?: number) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};

@Entity({ name: 'orders' })
@Index('orders_tenant_created_idx', ['tenantId', 'createdAt', 'id'])
@Index('orders_tenant_customer_created_idx', ['tenantId', 'customerId', 'createdAt', 'id'])
@Index('orders_tenant_status_created_idx', ['tenantId', 'status', 'createdAt', 'id'])
export class Order {
  /** Unguessable id, e.g. `ord_0x3k…`. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  /** @internal the owning tenant; never serialised. */
  @Column({ name: 'tenant_id', type: 'text', select: true })
  tenantId: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  /** Integer minor units (cents). */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  amount: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'text', enum: ORDER_STATUSES })
  status: OrderStatus;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
