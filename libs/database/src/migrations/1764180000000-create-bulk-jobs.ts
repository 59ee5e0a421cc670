import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBulkJobs1764180000000 implements MigrationInterface {
  name = 'CreateBulkJobs1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "bulk_jobs" (
        "id" text PRIMARY KEY,
        "tenant_id" text NOT NULL,
        "operation" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
        "atomic" boolean NOT NULL DEFAULT false,
        "source_format" text NOT NULL DEFAULT 'json',
        "chunk_size" integer NOT NULL CHECK ("chunk_size" > 0),
        "total_items" integer NOT NULL CHECK ("total_items" >= 0),
        "processed_items" integer NOT NULL DEFAULT 0,
        "succeeded" integer NOT NULL DEFAULT 0,
        "failed" integer NOT NULL DEFAULT 0,
        "webhook_url" text,
        "retry_of" text,
        "error" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        "started_at" timestamptz,
        "completed_at" timestamptz,
        "expires_at" timestamptz
      )`);
    await q.query(
      `CREATE INDEX "bulk_jobs_tenant_created_idx" ON "bulk_jobs" ("tenant_id", "created_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "bulk_jobs_tenant_status_created_idx" ON "bulk_jobs" ("tenant_id", "status", "created_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "bulk_jobs_tenant_operation_created_idx" ON "bulk_jobs" ("tenant_id", "operation", "created_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "bulk_jobs_expires_idx" ON "bulk_jobs" ("expires_at") WHERE "expires_at" IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "bulk_jobs_active_idx" ON "bulk_jobs" ("updated_at") WHERE "status" IN ('pending', 'processing')`,
    );
    await q.query(`
      CREATE TABLE "bulk_job_items" (
        "job_id" text NOT NULL REFERENCES "bulk_jobs" ("id") ON DELETE CASCADE,
        "idx" integer NOT NULL,
        "payload" json NOT NULL,
        "ref" text,
        "dedupe_key" text,
        "status" text NOT NULL DEFAULT 'pending' CHECK ("status" IN ('pending', 'succeeded', 'failed', 'cancelled')),
        "result_id" text,
        "error_code" text,
        "error_message" text,
        PRIMARY KEY ("job_id", "idx")
      )`);
    await q.query(
      `CREATE INDEX "bulk_job_items_status_idx" ON "bulk_job_items" ("job_id", "status", "idx")`,
    );
    await q.query(
      `CREATE INDEX "bulk_job_items_dedupe_idx" ON "bulk_job_items" ("job_id", "dedupe_key", "idx") WHERE "dedupe_key" IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE "events" (
        "id" text PRIMARY KEY,
        "tenant_id" text NOT NULL,
        "type" text NOT NULL,
        "job_id" text NOT NULL,
        "data" json NOT NULL,
        "webhook_url" text,
        "delivery_status" text,
        "delivery_attempts" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX "events_tenant_created_idx" ON "events" ("tenant_id", "created_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "events_tenant_type_created_idx" ON "events" ("tenant_id", "type", "created_at", "id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "events"`);
    await q.query(`DROP TABLE "bulk_job_items"`);
    await q.query(`DROP TABLE "bulk_jobs"`);
  }
}
