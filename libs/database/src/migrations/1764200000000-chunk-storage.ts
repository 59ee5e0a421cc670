import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk job storage v2: a job's items live in chunk rows (one JSON array of up to `chunk_size` items
 * each) and their outcomes in the same row; only failed items get a row of their own (they are what
 * `/items?status=failed` must find by index). Existing jobs and items move across, then the
 * item-per-row table goes away.
 */
export class ChunkStorage1764200000000 implements MigrationInterface {
  name = 'ChunkStorage1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "bulk_job_chunks" (
        "job_id" text NOT NULL REFERENCES "bulk_jobs" ("id") ON DELETE CASCADE,
        "chunk_no" integer NOT NULL CHECK ("chunk_no" >= 0),
        "item_count" integer NOT NULL CHECK ("item_count" > 0),
        "state" text NOT NULL DEFAULT 'pending'
          CHECK ("state" IN ('pending', 'done', 'cancelled', 'rolled_back')),
        "items" text NOT NULL,
        "duplicates" integer[],
        "result_ids" text,
        "succeeded" integer NOT NULL DEFAULT 0,
        "failed" integer NOT NULL DEFAULT 0,
        "finished_at" timestamptz,
        PRIMARY KEY ("job_id", "chunk_no")
      )`);
    // lz4 is several times cheaper than pglz to compress on ingest; servers built without it keep pglz.
    await q.query(`
      DO $$ BEGIN
        ALTER TABLE "bulk_job_chunks" ALTER COLUMN "items" SET COMPRESSION lz4;
        ALTER TABLE "bulk_job_chunks" ALTER COLUMN "result_ids" SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
      END $$`);
    await q.query(`
      CREATE TABLE "bulk_job_failures" (
        "job_id" text NOT NULL REFERENCES "bulk_jobs" ("id") ON DELETE CASCADE,
        "idx" integer NOT NULL,
        "item_id" text,
        "ref" text,
        "code" text NOT NULL,
        "message" text NOT NULL,
        PRIMARY KEY ("job_id", "idx")
      )`);
    await this.moveItems(q);
    await q.query(`DROP TABLE "bulk_job_items"`);
  }

  /** Old items grouped into chunks by `idx / chunk_size`, keeping states, results and duplicates. */
  private async moveItems(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO "bulk_job_chunks"
        ("job_id", "chunk_no", "item_count", "state", "items", "duplicates", "result_ids", "succeeded", "failed", "finished_at")
      SELECT i.job_id, i.idx / j.chunk_size, count(*)::int,
             CASE WHEN bool_or(i.status = 'pending') THEN 'pending'
                  WHEN bool_or(i.status = 'cancelled' AND i.error_code = 'rolled_back') THEN 'rolled_back'
                  WHEN bool_or(i.status = 'cancelled') THEN 'cancelled'
                  ELSE 'done' END,
             '[' || string_agg(i.payload::text, ',' ORDER BY i.idx) || ']',
             array_agg(i.idx - (i.idx / j.chunk_size) * j.chunk_size ORDER BY i.idx)
               FILTER (WHERE i.status = 'pending' AND i.dedupe_key IS NOT NULL AND EXISTS (
                 SELECT 1 FROM "bulk_job_items" e
                  WHERE e.job_id = i.job_id AND e.dedupe_key = i.dedupe_key AND e.idx < i.idx)),
             CASE WHEN bool_and(i.status <> 'succeeded' OR i.result_id IS NOT DISTINCT FROM i.dedupe_key)
                  THEN NULL
                  ELSE json_agg(CASE WHEN i.status = 'succeeded' THEN i.result_id END ORDER BY i.idx)::text END,
             count(*) FILTER (WHERE i.status = 'succeeded')::int,
             count(*) FILTER (WHERE i.status = 'failed')::int,
             CASE WHEN bool_or(i.status = 'pending') THEN NULL ELSE max(j.updated_at) END
        FROM "bulk_job_items" i JOIN "bulk_jobs" j ON j.id = i.job_id
       GROUP BY i.job_id, i.idx / j.chunk_size`);
    await q.query(`
      INSERT INTO "bulk_job_failures" ("job_id", "idx", "item_id", "ref", "code", "message")
      SELECT job_id, idx, COALESCE(result_id, dedupe_key), ref, COALESCE(error_code, 'validation_failed'),
             COALESCE(error_message, '')
        FROM "bulk_job_items" WHERE status = 'failed'`);
  }

  /** Irreversible by design: the item-per-row layout is gone; restore a backup to go back. */
  down(): Promise<void> {
    return Promise.reject(
      new Error('Bulk job storage v2 cannot be undone automatically: restore a backup instead'),
    );
  }
}
