import { KEY_LOCK_ID_SQL } from '@app/idempotency';
import type { Client } from 'pg';

/**
 * Whether a request holds `key` of `tenant` right now. Postgres shows a bigint advisory lock as
 * classid = high 32 bits, objid = low 32 bits, objsubid = 1.
 */
export async function keyLockHeld(db: Client, tenant: string, key: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM pg_locks l, (SELECT ${KEY_LOCK_ID_SQL} AS h) k
      WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid::bigint = (k.h >> 32) & 4294967295 AND l.objid::bigint = k.h & 4294967295`,
    [tenant, key],
  );
  return rows.length > 0;
}

/** Holds `key`'s lock on `db`'s session, as a request running under that key would; returns the release. */
export async function holdKeyLock(
  db: Client,
  tenant: string,
  key: string,
): Promise<() => Promise<void>> {
  await db.query(`SELECT pg_advisory_lock(${KEY_LOCK_ID_SQL})`, [tenant, key]);
  return async () => {
    await db.query(`SELECT pg_advisory_unlock(${KEY_LOCK_ID_SQL})`, [tenant, key]);
  };
}
