import type { Client } from 'pg';

/**
 * Whether a request holds `key` of `tenant` right now: the advisory lock its transaction takes
 * first (the same 64-bit hash as IdempotencyService's opening statements; Postgres shows a bigint
 * lock as classid = high 32 bits, objid = low 32 bits, objsubid = 1).
 */
export async function keyLockHeld(db: Client, tenant: string, key: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM pg_locks l,
       (SELECT hashtextextended($1 || chr(10) || $2, 7134515) AS h) k
      WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid::bigint = (k.h >> 32) & 4294967295 AND l.objid::bigint = k.h & 4294967295`,
    [tenant, key],
  );
  return rows.length > 0;
}
