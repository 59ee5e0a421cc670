import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fair scheduling: a job's priority within its tenant, a partial index that finds a job's next
 * pending chunk without walking the chunks already done (every claim asks it), and the per-tenant
 * daily count of accepted items.
 */
export class FairScheduling1796500000000 implements MigrationInterface {
  name = 'FairScheduling1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "bulk_jobs" ADD "priority" text NOT NULL DEFAULT 'normal'
         CHECK ("priority" IN ('high', 'normal', 'low'))`,
    );
    await q.query(
      `CREATE INDEX "bulk_job_chunks_pending_idx" ON "bulk_job_chunks" ("job_id", "chunk_no")
        WHERE "state" = 'pending'`,
    );
    await q.query(`
      CREATE TABLE "tenant_daily_items" (
        "tenant_id" text NOT NULL,
        "day" date NOT NULL,
        "items" bigint NOT NULL CHECK ("items" >= 0),
        PRIMARY KEY ("tenant_id", "day")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "tenant_daily_items"`);
    await q.query(`DROP INDEX "bulk_job_chunks_pending_idx"`);
    await q.query(`ALTER TABLE "bulk_jobs" DROP COLUMN "priority"`);
  }
}
