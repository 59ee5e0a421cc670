-- Statements TenantSlotsRepository sends, recorded by test/sql-snapshots.e2e-spec.ts (values left out).
-- Refresh: UPDATE_SQL_SNAPSHOTS=1 npx vitest run test/sql-snapshots.e2e-spec.ts

-- TenantSlotsRepository.claimNext
WITH c AS MATERIALIZED (
SELECT chunk_no, state, items, duplicates FROM bulk_job_chunks
WHERE job_id = $1 AND state = 'pending'
ORDER BY chunk_no LIMIT 1 FOR UPDATE SKIP LOCKED)
SELECT c.chunk_no AS "chunkNo", c.state, c.items, c.duplicates, j.tenant_id AS "tenantId",
j.operation, j.status AS "jobStatus", j.chunk_size AS "chunkSize",
j.total_items AS "totalItems", j.source_format AS "sourceFormat",
j.trace_context AS "traceContext", (
SELECT s FROM generate_series(0, $2::int - 1) s
WHERE pg_try_advisory_xact_lock(hashtext(j.tenant_id), 1785659392 + s)
LIMIT 1) AS slot
FROM c JOIN bulk_jobs j ON j.id = $1;

-- TenantSlotsRepository.runningFor
WITH running AS (
SELECT l.classid, count(*)::int AS running FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
AND l.objid BETWEEN 1785659392::oid AND 1785660415::oid
GROUP BY l.classid)
SELECT COALESCE((SELECT running FROM running WHERE classid = hashtext($1)::oid), 0) AS running;

-- TenantSlotsRepository.schedulable
WITH running AS (
SELECT l.classid, count(*)::int AS running FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
AND l.objid BETWEEN 1785659392::oid AND 1785660415::oid
GROUP BY l.classid)
SELECT j.id, j.tenant_id AS "tenantId", j.priority, j.created_at AS "createdAt",
COALESCE(r.running, 0) AS "tenantRunning"
FROM bulk_jobs j LEFT JOIN running r ON r.classid = hashtext(j.tenant_id)::oid
WHERE j.status IN ('pending', 'processing') AND NOT j.atomic
AND EXISTS (SELECT 1 FROM bulk_job_chunks c WHERE c.job_id = j.id AND c.state = 'pending');

-- TenantSlotsRepository.tenantLoad
WITH running AS (
SELECT l.classid, count(*)::int AS running FROM pg_locks l
WHERE l.locktype = 'advisory' AND l.objsubid = 2 AND l.granted
AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
AND l.objid BETWEEN 1785659392::oid AND 1785660415::oid
GROUP BY l.classid),
waiting AS (
SELECT j.tenant_id, count(c.*)::int AS waiting
FROM bulk_jobs j JOIN bulk_job_chunks c ON c.job_id = j.id AND c.state = 'pending'
WHERE j.status IN ('pending', 'processing')
GROUP BY j.tenant_id)
SELECT w.tenant_id AS "tenantId", COALESCE(r.running, 0) AS running,
greatest(w.waiting - COALESCE(r.running, 0), 0) AS waiting
FROM waiting w LEFT JOIN running r ON r.classid = hashtext(w.tenant_id)::oid;
