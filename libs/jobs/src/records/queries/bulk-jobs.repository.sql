-- Statements BulkJobsRepository sends, recorded by test/sql-snapshots.e2e-spec.ts (values left out).
-- Refresh: UPDATE_SQL_SNAPSHOTS=1 npx vitest run test/sql-snapshots.e2e-spec.ts

-- BulkJobsRepository.delete
DELETE FROM bulk_jobs WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2);

-- BulkJobsRepository.durationsLastHour
SELECT operation,
percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at)) AS p50,
percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - started_at)) AS p95,
max(extract(epoch FROM completed_at - started_at)) AS max
FROM bulk_jobs WHERE completed_at > now() - interval '1 hour' AND started_at IS NOT NULL
GROUP BY operation;

-- BulkJobsRepository.expiredIds
SELECT id FROM bulk_jobs WHERE expires_at <= now() ORDER BY expires_at LIMIT $1;

-- BulkJobsRepository.findById
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true WHERE j.id = $1;

-- BulkJobsRepository.findForTenant
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND j.id = $2 AND (j.expires_at IS NULL OR j.expires_at > now());

-- BulkJobsRepository.finish
WITH t AS (UPDATE bulk_jobs j SET status = $2, error = $3, completed_at = now(), updated_at = now(),
expires_at = now() + make_interval(secs => $4),
processed_items = COALESCE($5, agg.succeeded + agg.failed),
succeeded = COALESCE($6, agg.succeeded), failed = COALESCE($7, agg.failed)
FROM (SELECT COALESCE(sum(succeeded), 0)::int AS succeeded, COALESCE(sum(failed), 0)::int AS failed
FROM bulk_job_chunks WHERE job_id = $1) agg
WHERE j.id = $1 AND j.status = ANY($8::text[])
AND NOT ($9 AND EXISTS (SELECT 1 FROM bulk_job_chunks p WHERE p.job_id = $1 AND p.state = 'pending'))
RETURNING j.*) SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed FROM t j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true;

-- BulkJobsRepository.insert
WITH t AS (INSERT INTO bulk_jobs (id, tenant_id, operation, status, atomic, source_format, chunk_size, total_items, webhook_url, retry_of, trace_context, priority)
VALUES ($1, $2, $3, 'pending', $4, $5, $6, $10, $7, $8, $9, $11) RETURNING *) SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed FROM t j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true;

-- BulkJobsRepository.markProcessing
UPDATE bulk_jobs SET status = 'processing', started_at = now(), updated_at = now()
WHERE id = $1 AND status = ANY($2::text[]);

-- BulkJobsRepository.page (asc, no filter, page 1)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) ORDER BY j.created_at ASC, j.id ASC LIMIT $2;

-- BulkJobsRepository.page (asc, no filter, after key)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND (j.created_at, j.id) > (CAST($2 AS timestamptz), CAST($3 AS text)) ORDER BY j.created_at ASC, j.id ASC LIMIT $4;

-- BulkJobsRepository.page (asc, status filter, page 1)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.status = $2 ORDER BY j.created_at ASC, j.id ASC LIMIT $3;

-- BulkJobsRepository.page (asc, status filter, after key)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.status = $2 AND (j.created_at, j.id) > (CAST($3 AS timestamptz), CAST($4 AS text)) ORDER BY j.created_at ASC, j.id ASC LIMIT $5;

-- BulkJobsRepository.page (asc, operation filter, page 1)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.operation = $2 ORDER BY j.created_at ASC, j.id ASC LIMIT $3;

-- BulkJobsRepository.page (asc, operation filter, after key)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.operation = $2 AND (j.created_at, j.id) > (CAST($3 AS timestamptz), CAST($4 AS text)) ORDER BY j.created_at ASC, j.id ASC LIMIT $5;

-- BulkJobsRepository.page (asc, status and operation filters, page 1)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.status = $2 AND j.operation = $3 ORDER BY j.created_at ASC, j.id ASC LIMIT $4;

-- BulkJobsRepository.page (asc, status and operation filters, after key)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.status = $2 AND j.operation = $3 AND (j.created_at, j.id) > (CAST($4 AS timestamptz), CAST($5 AS text)) ORDER BY j.created_at ASC, j.id ASC LIMIT $6;

-- BulkJobsRepository.page (desc, no filter, page 1)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) ORDER BY j.created_at DESC, j.id DESC LIMIT $2;

-- BulkJobsRepository.page (desc, no filter, after key)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND (j.created_at, j.id) < (CAST($2 AS timestamptz), CAST($3 AS text)) ORDER BY j.created_at DESC, j.id DESC LIMIT $4;

-- BulkJobsRepository.page (desc, status filter, page 1)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.status = $2 ORDER BY j.created_at DESC, j.id DESC LIMIT $3;

-- BulkJobsRepository.page (desc, status filter, after key)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.status = $2 AND (j.created_at, j.id) < (CAST($3 AS timestamptz), CAST($4 AS text)) ORDER BY j.created_at DESC, j.id DESC LIMIT $5;

-- BulkJobsRepository.page (desc, operation filter, page 1)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.operation = $2 ORDER BY j.created_at DESC, j.id DESC LIMIT $3;

-- BulkJobsRepository.page (desc, operation filter, after key)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.operation = $2 AND (j.created_at, j.id) < (CAST($3 AS timestamptz), CAST($4 AS text)) ORDER BY j.created_at DESC, j.id DESC LIMIT $5;

-- BulkJobsRepository.page (desc, status and operation filters, page 1)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.status = $2 AND j.operation = $3 ORDER BY j.created_at DESC, j.id DESC LIMIT $4;

-- BulkJobsRepository.page (desc, status and operation filters, after key)
SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed, (j.created_at)::text AS "__key0", (j.id)::text AS "__key1" FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true
WHERE j.tenant_id = $1 AND (j.expires_at IS NULL OR j.expires_at > now()) AND j.status = $2 AND j.operation = $3 AND (j.created_at, j.id) < (CAST($4 AS timestamptz), CAST($5 AS text)) ORDER BY j.created_at DESC, j.id DESC LIMIT $6;

-- BulkJobsRepository.setTotal
WITH t AS (UPDATE bulk_jobs SET total_items = $2 WHERE id = $1 RETURNING *) SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed FROM t j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true;

-- BulkJobsRepository.staleActive
SELECT j.id, j.atomic, j.status, j.trace_context AS "traceContext" FROM bulk_jobs j
WHERE j.status IN ('pending', 'processing') AND j.updated_at <= now() - make_interval(secs => $1)
AND NOT EXISTS (SELECT 1 FROM bulk_job_chunks c
WHERE c.job_id = j.id AND c.finished_at > now() - make_interval(secs => $1))
ORDER BY j.updated_at LIMIT $2;

-- BulkJobsRepository.statsByOperation
SELECT x.operation, x.status, count(*)::int AS jobs, sum(x.succeeded)::bigint AS succeeded,
sum(x.failed)::bigint AS failed, sum(x.total_items - x.processed_items)::bigint AS unprocessed
FROM (SELECT j.id, j.tenant_id, j.operation, j.status, j.atomic, j.priority, j.source_format, j.chunk_size,
j.total_items, j.webhook_url, j.retry_of, j.trace_context, j.error, j.created_at, j.updated_at, j.started_at,
j.completed_at, j.expires_at, CASE WHEN j.status = 'pending' THEN (
SELECT count(*)::int + 1 FROM bulk_jobs o
WHERE o.tenant_id = j.tenant_id AND o.status = 'pending' AND o.id <> j.id
AND (array_position(ARRAY['high', 'normal', 'low'], o.priority) < array_position(ARRAY['high', 'normal', 'low'], j.priority)
OR (o.priority = j.priority AND (o.created_at, o.id) < (j.created_at, j.id)))) END AS queue_position,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded + live.failed ELSE j.processed_items END AS processed_items,
CASE WHEN j.status IN ('pending', 'processing') THEN live.succeeded ELSE j.succeeded END AS succeeded,
CASE WHEN j.status IN ('pending', 'processing') THEN live.failed ELSE j.failed END AS failed FROM bulk_jobs j LEFT JOIN LATERAL (
SELECT COALESCE(sum(c.succeeded), 0)::int AS succeeded, COALESCE(sum(c.failed), 0)::int AS failed
FROM bulk_job_chunks c WHERE j.status IN ('pending', 'processing') AND c.job_id = j.id) live ON true) x
GROUP BY x.operation, x.status;

-- BulkJobsRepository.statuses
SELECT id, status FROM bulk_jobs WHERE id = ANY($1::text[]);
