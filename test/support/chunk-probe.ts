import { ADVISORY_LOCKS } from '@app/database';
import type { Client } from 'pg';

/**
 * A test-only probe on `orders`, installed by a test in its own database (production code knows
 * nothing of it): every statement that writes orders (a chunk of `create_orders` or
 * `update_orders_status`, and a plain `POST /orders` too) runs a statement trigger that
 *
 * - marks its backend as "inside a chunk of tenant T" (`application_name`, local to the transaction,
 *   so the mark lasts until the chunk commits or rolls back), whether or not it holds a tenant slot;
 * - waits while the gate is closed, then holds for `holdMs`, and until `meet` chunks of T were seen
 *   inside at once (at most `meetMs`), so that chunks that may run together are seen together;
 * - logs, with the chunk's writes, how many chunks of T it saw inside at once and whether its own
 *   transaction held one of T's slot locks.
 */
export interface ChunkProbeSettings {
  gateOpen: boolean;
  holdMs: number;
  meet: number;
  meetMs: number;
}

const MARK = 'chunk_probe:';
/** Slot numbers a tenant may use (the highest TENANT_MAX_CONCURRENT_CHUNKS allowed is below this). */
const SLOT_RANGE = 1024;
/** No write waits longer than this, whatever its gate says: a worker is never held for good. */
const MAX_HOLD_MS = 120_000;

const INSTALL = `
  CREATE TABLE chunk_probe_settings (
    id int PRIMARY KEY CHECK (id = 1),
    gate_open boolean NOT NULL, hold_ms int NOT NULL, meet int NOT NULL, meet_ms int NOT NULL);
  INSERT INTO chunk_probe_settings VALUES (1, true, 0, 1, 0);
  CREATE TABLE chunk_probe_log (
    tenant_id text NOT NULL, pid int NOT NULL, rows int NOT NULL,
    started_at timestamptz NOT NULL, ended_at timestamptz NOT NULL,
    most_inside int NOT NULL, held_slot boolean NOT NULL);
  CREATE FUNCTION chunk_probe() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    t text;
    n int;
    most int := 0;
    started timestamptz := clock_timestamp();
    waited double precision;
    s chunk_probe_settings;
  BEGIN
    SELECT min(tenant_id), count(*) INTO t, n FROM probed;
    IF t IS NULL THEN RETURN NULL; END IF;
    PERFORM set_config('application_name', '${MARK}' || t, true);
    LOOP
      -- pg_stat_activity is read once per transaction unless its snapshot is dropped.
      PERFORM pg_stat_clear_snapshot();
      most := greatest(most, (SELECT count(*)::int FROM pg_stat_activity
                               WHERE application_name = '${MARK}' || t));
      SELECT * INTO s FROM chunk_probe_settings;
      waited := extract(epoch FROM clock_timestamp() - started) * 1000;
      EXIT WHEN waited >= ${MAX_HOLD_MS};
      EXIT WHEN s.gate_open AND waited >= s.hold_ms AND (most >= s.meet OR waited >= s.meet_ms);
      PERFORM pg_sleep(0.005);
    END LOOP;
    INSERT INTO chunk_probe_log VALUES (t, pg_backend_pid(), n, started, clock_timestamp(), most,
      EXISTS (SELECT 1 FROM pg_locks l
               WHERE l.pid = pg_backend_pid() AND l.locktype = 'advisory' AND l.objsubid = 2
                 AND l.granted AND l.classid = hashtext(t)::oid
                 AND l.objid BETWEEN ${ADVISORY_LOCKS.tenantSlots}::oid
                                 AND ${ADVISORY_LOCKS.tenantSlots + SLOT_RANGE - 1}::oid));
    RETURN NULL;
  END $$;
  CREATE TRIGGER chunk_probe_insert AFTER INSERT ON orders
    REFERENCING NEW TABLE AS probed FOR EACH STATEMENT EXECUTE FUNCTION chunk_probe();
  CREATE TRIGGER chunk_probe_update AFTER UPDATE ON orders
    REFERENCING NEW TABLE AS probed FOR EACH STATEMENT EXECUTE FUNCTION chunk_probe();`;

/** Installs the probe in `db`'s database (gate open, no hold until `setChunkProbe` says otherwise). */
export async function installChunkProbe(db: Client): Promise<void> {
  await db.query(INSTALL);
}

export async function setChunkProbe(db: Client, s: Partial<ChunkProbeSettings>): Promise<void> {
  await db.query(
    `UPDATE chunk_probe_settings SET gate_open = COALESCE($1, gate_open),
            hold_ms = COALESCE($2, hold_ms), meet = COALESCE($3, meet), meet_ms = COALESCE($4, meet_ms)`,
    [s.gateOpen ?? null, s.holdMs ?? null, s.meet ?? null, s.meetMs ?? null],
  );
}

/** Backends inside a chunk of `tenant` right now (written orders, not yet committed). */
export async function chunksInside(db: Client, tenant: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
    [MARK + tenant],
  );
  return rows[0].n;
}

export interface ProbedTenant {
  tenant_id: string;
  /** Committed statements that wrote the tenant's orders (one per chunk). */
  writes: number;
  rows: number;
  /** The most chunks of the tenant seen inside at once. */
  most_inside: number;
  /** Writes whose transaction held none of the tenant's slot locks. */
  without_slot: number;
}

/** What the probe logged for each of `tenants` that wrote orders. */
export async function probedTenants(
  db: Client,
  tenants: readonly string[],
): Promise<ProbedTenant[]> {
  const { rows } = await db.query<ProbedTenant>(
    `SELECT tenant_id, count(*)::int AS writes, sum(rows)::int AS rows,
            max(most_inside)::int AS most_inside, count(*) FILTER (WHERE NOT held_slot)::int AS without_slot
       FROM chunk_probe_log WHERE tenant_id = ANY($1) GROUP BY tenant_id ORDER BY tenant_id`,
    [tenants],
  );
  return rows;
}
