import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdempotencyKeys1764170000000 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1764170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "idempotency_keys" (
        "tenant_id" text NOT NULL,
        "key" text NOT NULL,
        "fingerprint" text NOT NULL,
        "method" text NOT NULL,
        "path" text NOT NULL,
        "state" text NOT NULL CHECK ("state" IN ('processing', 'completed')),
        "lock_token" uuid,
        "locked_at" timestamptz,
        "response_status" integer,
        "response_headers" jsonb,
        "response_body" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        PRIMARY KEY ("tenant_id", "key")
      )`);
    await q.query(
      `CREATE INDEX "idempotency_keys_expires_idx" ON "idempotency_keys" ("expires_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "idempotency_keys"`);
  }
}
