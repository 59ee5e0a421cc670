import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1764160000000 implements MigrationInterface {
  name = 'CreateOrders1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "orders" (
        "id" text PRIMARY KEY,
        "tenant_id" text NOT NULL,
        "customer_id" text NOT NULL,
        "amount" bigint NOT NULL CHECK ("amount" >= 0),
        "currency" char(3) NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('pending', 'paid', 'cancelled', 'shipped', 'delivered')),
        "version" integer NOT NULL DEFAULT 1,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX "orders_tenant_created_idx" ON "orders" ("tenant_id", "created_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "orders_tenant_customer_created_idx" ON "orders" ("tenant_id", "customer_id", "created_at", "id")`,
    );
    await q.query(
      `CREATE INDEX "orders_tenant_status_created_idx" ON "orders" ("tenant_id", "status", "created_at", "id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "orders"`);
  }
}
