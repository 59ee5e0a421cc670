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

-- BulkJobChunksRepository.pendingChunkNos
SELECT chunk_no FROM bulk_job_chunks WHERE job_id = $1 AND state = 'pending' ORDER BY chunk_no;

-- BulkJobChunksRepository.readFrom
SELECT chunk_no AS "chunkNo", state, items, result_ids AS "resultIds" FROM bulk_job_chunks
WHERE job_id = $1 AND chunk_no >= $2 AND ($4::text[] IS NULL OR state = ANY($4::text[]))
ORDER BY chunk_no LIMIT $3;

-- BulkJobChunksRepository.readItems
SELECT items, duplicates FROM bulk_job_chunks WHERE job_id = $1 AND chunk_no = $2;

-- BulkJobChunksRepository.writer (COPY of three chunks)
COPY bulk_job_chunks (job_id, chunk_no, item_count, items, duplicates) FROM STDIN;
