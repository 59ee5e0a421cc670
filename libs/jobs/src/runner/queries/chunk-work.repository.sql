-- Statements ChunkWorkRepository sends, recorded by test/sql-snapshots.e2e-spec.ts (values left out).
-- Refresh: UPDATE_SQL_SNAPSHOTS=1 npx vitest run test/sql-snapshots.e2e-spec.ts

-- ChunkWorkRepository.claim
SELECT c.chunk_no AS "chunkNo", c.state, c.items, c.duplicates, j.tenant_id AS "tenantId",
j.operation, j.status AS "jobStatus", j.chunk_size AS "chunkSize",
j.total_items AS "totalItems", j.source_format AS "sourceFormat"
FROM bulk_job_chunks c JOIN bulk_jobs j ON j.id = c.job_id
WHERE c.job_id = $1 AND c.chunk_no = $2
FOR UPDATE OF c;

-- ChunkWorkRepository.complete
UPDATE bulk_job_chunks c
SET state = u.state, succeeded = u.succeeded, failed = u.failed, result_ids = u.result_ids,
finished_at = now()
FROM unnest($2::int[], $3::text[], $4::int[], $5::int[], $6::text[])
AS u(chunk_no, state, succeeded, failed, result_ids)
WHERE c.job_id = $1 AND c.chunk_no = u.chunk_no;

-- ChunkWorkRepository.insertFailures
INSERT INTO bulk_job_failures (job_id, idx, item_id, ref, code, message)
SELECT $1, u.idx, u.item_id, u.ref, u.code, u.message
FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(idx, item_id, ref, code, message);

-- ChunkWorkRepository.lockPending
SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending'
ORDER BY chunk_no FOR UPDATE;

-- ChunkWorkRepository.rollBack
UPDATE bulk_job_chunks c SET state = 'rolled_back', succeeded = 0, finished_at = now(),
failed = COALESCE((SELECT u.failed FROM unnest($2::int[], $3::int[]) AS u(chunk_no, failed)
WHERE u.chunk_no = c.chunk_no), 0)
WHERE c.job_id = $1 AND c.state = 'pending';
