/**
 * Every advisory lock this service takes, in one place, so that no two features can pick the same
 * key by accident. All are transaction-scoped (`pg_advisory_xact_lock` / `pg_try_advisory_xact_lock`):
 * they end with their transaction, which a transaction pooler (PgBouncer `pool_mode = transaction`)
 * keeps on one server connection; a session lock would outlive the client that took it.
 *
 * Two key forms are in use, and Postgres keeps them apart (`objsubid` 1 for one bigint, 2 for two
 * integers), so the spaces below only need to differ within a form.
 */
export const ADVISORY_LOCKS = {
  /** One bigint: "schema migrations of this service". */
  migrations: 7_240_517_311,
  /** One bigint from `hashtextextended(…, seed)`: an idempotency key of a tenant. */
  idempotencyKeySeed: 7_134_515,
  /** Two ints, (hashtext(tenant), space): one tenant's admissions of new jobs. */
  tenantAdmission: 0x6a6e0000,
  /** Two ints, (hashtext(tenant), space + n): slot n of a tenant's concurrently running chunks. */
  tenantSlots: 0x6a6f0000,
} as const;

/**
 * The bigint lock id of key `keySql` of tenant `tenantSql` (SQL expressions, e.g. `$1` and `$2`).
 * The newline cannot appear in a tenant id, so no two (tenant, key) pairs share an input.
 */
export const idempotencyKeyLockId = (tenantSql: string, keySql: string): string =>
  `hashtextextended(${tenantSql} || chr(10) || ${keySql}, ${ADVISORY_LOCKS.idempotencyKeySeed})`;

/** Locks one tenant's admissions for the rest of the transaction. */
export const TENANT_ADMISSION_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext($1), ${ADVISORY_LOCKS.tenantAdmission})`;
