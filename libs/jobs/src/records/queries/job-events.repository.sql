-- Statements JobEventsRepository sends, recorded by test/sql-snapshots.e2e-spec.ts (values left out).
-- Refresh: UPDATE_SQL_SNAPSHOTS=1 npx vitest run test/sql-snapshots.e2e-spec.ts

-- JobEventsRepository.deleteForJob
DELETE FROM events WHERE job_id = $1;

-- JobEventsRepository.findDeliverable
SELECT id, type, created_at, data, webhook_url, delivery_status FROM events WHERE id = $1;

-- JobEventsRepository.insert
INSERT INTO events (id, tenant_id, type, job_id, data, webhook_url, delivery_status)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at;

-- JobEventsRepository.notifyJobChanged
SELECT pg_notify($1, $2);

-- JobEventsRepository.page (asc, no filter, page 1)
SELECT e.id, e.tenant_id, e.type, e.job_id, e.data, e.webhook_url, e.delivery_status,
e.delivery_attempts, e.created_at, (e.created_at)::text AS "__key0", (e.id)::text AS "__key1" FROM events e
WHERE e.tenant_id = $1 ORDER BY e.created_at ASC, e.id ASC LIMIT $2;

-- JobEventsRepository.page (asc, no filter, after key)
SELECT e.id, e.tenant_id, e.type, e.job_id, e.data, e.webhook_url, e.delivery_status,
e.delivery_attempts, e.created_at, (e.created_at)::text AS "__key0", (e.id)::text AS "__key1" FROM events e
WHERE e.tenant_id = $1 AND (e.created_at, e.id) > (CAST($2 AS timestamptz), CAST($3 AS text)) ORDER BY e.created_at ASC, e.id ASC LIMIT $4;

-- JobEventsRepository.page (asc, type filter, page 1)
SELECT e.id, e.tenant_id, e.type, e.job_id, e.data, e.webhook_url, e.delivery_status,
e.delivery_attempts, e.created_at, (e.created_at)::text AS "__key0", (e.id)::text AS "__key1" FROM events e
WHERE e.tenant_id = $1 AND e.type = $2 ORDER BY e.created_at ASC, e.id ASC LIMIT $3;

-- JobEventsRepository.page (asc, type filter, after key)
SELECT e.id, e.tenant_id, e.type, e.job_id, e.data, e.webhook_url, e.delivery_status,
e.delivery_attempts, e.created_at, (e.created_at)::text AS "__key0", (e.id)::text AS "__key1" FROM events e
WHERE e.tenant_id = $1 AND e.type = $2 AND (e.created_at, e.id) > (CAST($3 AS timestamptz), CAST($4 AS text)) ORDER BY e.created_at ASC, e.id ASC LIMIT $5;

-- JobEventsRepository.page (desc, no filter, page 1)
SELECT e.id, e.tenant_id, e.type, e.job_id, e.data, e.webhook_url, e.delivery_status,
e.delivery_attempts, e.created_at, (e.created_at)::text AS "__key0", (e.id)::text AS "__key1" FROM events e
WHERE e.tenant_id = $1 ORDER BY e.created_at DESC, e.id DESC LIMIT $2;

-- JobEventsRepository.page (desc, no filter, after key)
SELECT e.id, e.tenant_id, e.type, e.job_id, e.data, e.webhook_url, e.delivery_status,
e.delivery_attempts, e.created_at, (e.created_at)::text AS "__key0", (e.id)::text AS "__key1" FROM events e
WHERE e.tenant_id = $1 AND (e.created_at, e.id) < (CAST($2 AS timestamptz), CAST($3 AS text)) ORDER BY e.created_at DESC, e.id DESC LIMIT $4;

-- JobEventsRepository.page (desc, type filter, page 1)
SELECT e.id, e.tenant_id, e.type, e.job_id, e.data, e.webhook_url, e.delivery_status,
e.delivery_attempts, e.created_at, (e.created_at)::text AS "__key0", (e.id)::text AS "__key1" FROM events e
WHERE e.tenant_id = $1 AND e.type = $2 ORDER BY e.created_at DESC, e.id DESC LIMIT $3;

-- JobEventsRepository.page (desc, type filter, after key)
SELECT e.id, e.tenant_id, e.type, e.job_id, e.data, e.webhook_url, e.delivery_status,
e.delivery_attempts, e.created_at, (e.created_at)::text AS "__key0", (e.id)::text AS "__key1" FROM events e
WHERE e.tenant_id = $1 AND e.type = $2 AND (e.created_at, e.id) < (CAST($3 AS timestamptz), CAST($4 AS text)) ORDER BY e.created_at DESC, e.id DESC LIMIT $5;

-- JobEventsRepository.recordDelivery
UPDATE events SET delivery_status = $2, delivery_attempts = $3 WHERE id = $1;
