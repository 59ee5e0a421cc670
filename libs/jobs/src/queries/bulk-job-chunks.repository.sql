-- Statements BulkJobChunksRepository sends, recorded by test/sql-snapshots.e2e-spec.ts (values left out).
-- Refresh: UPDATE_SQL_SNAPSHOTS=1 npx vitest run test/sql-snapshots.e2e-spec.ts

-- BulkJobChunksRepository.anyPending
SELECT EXISTS (SELECT 1 FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending') AS pending;

-- BulkJobChunksRepository.awaitRunning
SELECT 1 FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending' FOR UPDATE;

-- BulkJobChunksRepository.cancelIdle
UPDATE bulk_job_chunks SET state = 'cancelled', finished_at = now()
WHERE job_id = $1 AND chunk_no IN (
SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending'
FOR UPDATE SKIP LOCKED);

-- BulkJobChunksRepository.claim
SELECT c.chunk_no AS "chunkNo", c.state, c.items, c.duplicates, j.tenant_id AS "tenantId",
j.operation, j.status AS "jobStatus", j.chunk_size AS "chunkSize",
j.total_items AS "totalItems", j.source_format AS "sourceFormat"
FROM bulk_job_chunks c JOIN bulk_jobs j ON j.id = c.job_id
WHERE c.job_id = $1 AND c.chunk_no = $2
FOR UPDATE OF c;

-- BulkJobChunksRepository.claimNext
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

-- BulkJobChunksRepository.complete
UPDATE bulk_job_chunks c
SET state = u.state, succeeded = u.succeeded, failed = u.failed, result_ids = u.result_ids,
finished_at = now()
FROM unnest($2::int[], $3::text[], $4::int[], $5::int[], $6::text[])
AS u(chunk_no, state, succeeded, failed, result_ids)
WHERE c.job_id = $1 AND c.chunk_no = u.chunk_no;

-- BulkJobChunksRepository.deleteBatch (failures left)
DELETE FROM bulk_job_failures WHERE job_id = $1 AND idx IN (
SELECT idx FROM bulk_job_failures WHERE job_id = $1 LIMIT $2);

-- BulkJobChunksRepository.deleteBatch (chunks left)
DELETE FROM bulk_job_failures WHERE job_id = $1 AND idx IN (
SELECT idx FROM bulk_job_failures WHERE job_id = $1 LIMIT $2);
DELETE FROM bulk_job_chunks WHERE job_id = $1 AND chunk_no IN (
SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 LIMIT $2);

-- BulkJobChunksRepository.failuresAfter
SELECT idx, item_id, ref, code, message FROM bulk_job_failures
WHERE job_id = $1 AND idx > $2 ORDER BY idx LIMIT $3;

-- BulkJobChunksRepository.failuresBetween
SELECT idx, item_id, ref, code, message FROM bulk_job_failures
WHERE job_id = $1 AND idx BETWEEN $2 AND $3 ORDER BY idx;

-- BulkJobChunksRepository.insertFailures
INSERT INTO bulk_job_failures (job_id, idx, item_id, ref, code, message)
SELECT $1, u.idx, u.item_id, u.ref, u.code, u.message
FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(idx, item_id, ref, code, message);

-- BulkJobChunksRepository.lockPending
SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending'
ORDER BY chunk_no FOR UPDATE;

-- BulkJobChunksRepository.pendingChunkNos
SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending' ORDER BY chunk_no;

-- BulkJobChunksRepository.readFrom
SELECT chunk_no AS "chunkNo", state, items, result_ids AS "resultIds" FROM bulk_job_chunks
WHERE job_id = $1 AND chunk_no >= $2 AND ($4::text[] IS NULL OR state = ANY($4::text[]))
ORDER BY chunk_no LIMIT $3;

-- BulkJobChunksRepository.readItems
SELECT items, duplicates FROM bulk_job_chunks WHERE job_id = $1 AND chunk_no = $2;

-- BulkJobChunksRepository.rollBack
UPDATE bulk_job_chunks c SET state = 'rolled_back', succeeded = 0, finished_at = now(),
failed = COALESCE((SELECT u.failed FROM unnest($2::int[], $3::int[]) AS u(chunk_no, failed)
WHERE u.chunk_no = c.chunk_no), 0)
WHERE c.job_id = $1 AND c.state = 'pending';

-- BulkJobChunksRepository.schedulable
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

-- BulkJobChunksRepository.tenantLoad
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

-- BulkJobChunksRepository.writer (COPY of three chunks)
COPY bulk_job_chunks (job_id, chunk_no, item_count, items, duplicates) FROM STDIN;
