import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Only failed and cancelled items need an index by status (items lists filtered by them); pending and
 * succeeded ones are read by index range on (job_id, idx). Keeping `status` out of every other index
 * makes ingestion cheaper and lets the worker's status updates be HOT updates.
 */
export class PartialItemStatusIndex1764190000000 implements MigrationInterface {
  name = 'PartialItemStatusIndex1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "bulk_job_items_status_idx"`);
    await q.query(
      `CREATE INDEX "bulk_job_items_status_idx" ON "bulk_job_items" ("job_id", "status", "idx") WHERE "status" IN ('failed', 'cancelled')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "bulk_job_items_status_idx"`);
    await q.query(
      `CREATE INDEX "bulk_job_items_status_idx" ON "bulk_job_items" ("job_id", "status", "idx")`,
    );
  }
}
