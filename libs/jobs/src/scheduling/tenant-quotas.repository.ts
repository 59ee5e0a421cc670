import { Database, TENANT_ADMISSION_LOCK_SQL } from '@app/database';
import { Injectable } from '@nestjs/common';

/** The admission statements: unfinished jobs per tenant, `tenant_daily_items`, the per-tenant admission lock. */
@Injectable()
export class TenantQuotasRepository {
  constructor(private readonly db: Database) {}

  /**
   * Until the calling transaction ends, no other admission of this tenant can run: its count of
   * unfinished jobs sees every job admitted before it, and its own stays unseen until it commits.
   */
  async lockAdmissions(tenantId: string): Promise<void> {
    this.db.requireTransaction('locking admissions');
    await this.db.rows(TENANT_ADMISSION_LOCK_SQL, [tenantId]);
  }

  /** Unfinished jobs of a tenant (pending or processing), the ones TENANT_MAX_ACTIVE_JOBS counts. */
  async activeCount(tenantId: string): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>(
      `SELECT count(*)::int AS n FROM bulk_jobs WHERE tenant_id = $1 AND status IN ('pending', 'processing')`,
      [tenantId],
    );
    return row.n;
  }

  /** Items accepted today (UTC) by the tenant. */
  async itemsToday(tenantId: string): Promise<number> {
    const rows = await this.db.rows<{ items: string }>(
      `SELECT items FROM tenant_daily_items
        WHERE tenant_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date`,
      [tenantId],
    );
    return rows.length ? Number(rows[0].items) : 0;
  }

  /**
   * Adds `items` to today's count unless that would pass `max`; true if added. The row stays locked
   * until the caller commits, so concurrent admissions of one tenant cannot both squeeze in.
   */
  async addItemsToday(tenantId: string, items: number, max: number): Promise<boolean> {
    this.db.requireTransaction('adding to the daily count');
    const rows = await this.db.rows(
      `INSERT INTO tenant_daily_items AS d (tenant_id, day, items)
       SELECT $1::text, (now() AT TIME ZONE 'UTC')::date, $2::bigint WHERE $2::bigint <= $3::bigint
       ON CONFLICT (tenant_id, day) DO UPDATE SET items = d.items + EXCLUDED.items
        WHERE d.items + EXCLUDED.items <= $3::bigint
       RETURNING items`,
      [tenantId, items, max],
    );
    return rows.length > 0;
  }

  /** Drops the counts of days before yesterday (UTC); nothing reads them. */
  async deleteOldDays(): Promise<number> {
    return this.db.count(
      `DELETE FROM tenant_daily_items WHERE day < (now() AT TIME ZONE 'UTC')::date - 1`,
    );
  }
}
