import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Items accepted per tenant per UTC day, counted against TENANT_MAX_ITEMS_PER_DAY. */
@Entity({ name: 'tenant_daily_items' })
export class TenantDailyItems {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId: string;

  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ type: 'bigint' })
  items: string;
}
