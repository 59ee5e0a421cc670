import { ADVISORY_LOCKS } from '@app/database';

/**
 * A chunk being applied holds one of its tenant's TENANT_MAX_CONCURRENT_CHUNKS slots: a
 * transaction-scoped advisory lock (key 1 = hashtext(tenant), key 2 = this space + slot number). The
 * lock lives exactly as long as the chunk's transaction, so a worker that crashes or is killed gives
 * its slot back with its connection, and Postgres can count the slots in use across every worker.
 * Two tenants whose ids share a hash would share slots; the space keeps clear of other advisory locks.
 */
export const TENANT_SLOT_LOCK_SPACE = ADVISORY_LOCKS.tenantSlots;
/** Slot numbers looked at when counting (the highest TENANT_MAX_CONCURRENT_CHUNKS allowed). */
export const TENANT_SLOT_SCAN = 1024;

/**
 * SQL: the slots in use per tenant hash, as `(classid oid, running int)` rows. pg_locks covers the
 * whole server and advisory locks belong to a database: only this database's count.
 */
export const RUNNING_SLOTS_SQL = `
  SELECT l.classid, count(*)::int AS running FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.objid BETWEEN ${TENANT_SLOT_LOCK_SPACE}::oid AND ${TENANT_SLOT_LOCK_SPACE + TENANT_SLOT_SCAN - 1}::oid
   GROUP BY l.classid`;

/** SQL expression: takes a free slot of `tenantExpr` (its number), or NULL when all `maxParam` are held. */
export const takeSlotSql = (tenantExpr: string, maxParam: string) => `(
  SELECT s FROM generate_series(0, ${maxParam}::int - 1) s
   WHERE pg_try_advisory_xact_lock(hashtext(${tenantExpr}), ${TENANT_SLOT_LOCK_SPACE} + s)
   LIMIT 1)`;
