-- Statements TenantQuotasRepository sends, recorded by test/sql-snapshots.e2e-spec.ts (values left out).
-- Refresh: UPDATE_SQL_SNAPSHOTS=1 npx vitest run test/sql-snapshots.e2e-spec.ts

-- TenantQuotasRepository.activeCount
SELECT count(*)::int AS n FROM bulk_jobs WHERE tenant_id = $1 AND status IN ('pending', 'processing');

-- TenantQuotasRepository.addItemsToday
INSERT INTO tenant_daily_items AS d (tenant_id, day, items)
SELECT $1::text, (now() AT TIME ZONE 'UTC')::date, $2::bigint WHERE $2::bigint <= $3::bigint
ON CONFLICT (tenant_id, day) DO UPDATE SET items = d.items + EXCLUDED.items
WHERE d.items + EXCLUDED.items <= $3::bigint
RETURNING items;

-- TenantQuotasRepository.deleteOldDays
DELETE FROM tenant_daily_items WHERE day < (now() AT TIME ZONE 'UTC')::date - 1;

-- TenantQuotasRepository.itemsToday
SELECT items FROM tenant_daily_items
WHERE tenant_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date;

-- TenantQuotasRepository.lockAdmissions
SELECT pg_advisory_xact_lock(hashtext($1), 1785593856);
