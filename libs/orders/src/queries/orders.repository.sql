-- Statements OrdersRepository sends, recorded by test/sql-snapshots.e2e-spec.ts (values left out).
-- Refresh: UPDATE_SQL_SNAPSHOTS=1 npx vitest run test/sql-snapshots.e2e-spec.ts

-- OrdersRepository.find
-- name: orders_find
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at FROM orders o WHERE o.tenant_id = $1 AND o.id = $2;

-- OrdersRepository.insert
-- name: orders_insert
INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at, updated_at;

-- OrdersRepository.insertMany
INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version)
SELECT u.id, $1, u.customer_id, u.amount, u.currency, u.status, 1
FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])
AS u(id, customer_id, amount, currency, status);

-- OrdersRepository.lockStatuses
SELECT id, status FROM orders WHERE id = ANY($1::text[]) AND (tenant_id || '') = $2
ORDER BY id FOR UPDATE;

-- OrdersRepository.page (asc, no filter, page 1)
-- name: orders_page_asc_
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1
ORDER BY o.created_at ASC, o.id ASC LIMIT $2;

-- OrdersRepository.page (asc, no filter, after key)
-- name: orders_page_asc_k
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND (o.created_at, o.id) > (CAST($2 AS timestamptz), CAST($3 AS text))
ORDER BY o.created_at ASC, o.id ASC LIMIT $4;

-- OrdersRepository.page (asc, status filter, page 1)
-- name: orders_page_asc_s
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.status = $2
ORDER BY o.created_at ASC, o.id ASC LIMIT $3;

-- OrdersRepository.page (asc, status filter, after key)
-- name: orders_page_asc_sk
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.status = $2 AND (o.created_at, o.id) > (CAST($3 AS timestamptz), CAST($4 AS text))
ORDER BY o.created_at ASC, o.id ASC LIMIT $5;

-- OrdersRepository.page (asc, customer filter, page 1)
-- name: orders_page_asc_c
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.customer_id = $2
ORDER BY o.created_at ASC, o.id ASC LIMIT $3;

-- OrdersRepository.page (asc, customer filter, after key)
-- name: orders_page_asc_ck
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.customer_id = $2 AND (o.created_at, o.id) > (CAST($3 AS timestamptz), CAST($4 AS text))
ORDER BY o.created_at ASC, o.id ASC LIMIT $5;

-- OrdersRepository.page (asc, status and customer filters, page 1)
-- name: orders_page_asc_sc
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.status = $2 AND o.customer_id = $3
ORDER BY o.created_at ASC, o.id ASC LIMIT $4;

-- OrdersRepository.page (asc, status and customer filters, after key)
-- name: orders_page_asc_sck
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.status = $2 AND o.customer_id = $3 AND (o.created_at, o.id) > (CAST($4 AS timestamptz), CAST($5 AS text))
ORDER BY o.created_at ASC, o.id ASC LIMIT $6;

-- OrdersRepository.page (desc, no filter, page 1)
-- name: orders_page_desc_
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1
ORDER BY o.created_at DESC, o.id DESC LIMIT $2;

-- OrdersRepository.page (desc, no filter, after key)
-- name: orders_page_desc_k
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND (o.created_at, o.id) < (CAST($2 AS timestamptz), CAST($3 AS text))
ORDER BY o.created_at DESC, o.id DESC LIMIT $4;

-- OrdersRepository.page (desc, status filter, page 1)
-- name: orders_page_desc_s
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.status = $2
ORDER BY o.created_at DESC, o.id DESC LIMIT $3;

-- OrdersRepository.page (desc, status filter, after key)
-- name: orders_page_desc_sk
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.status = $2 AND (o.created_at, o.id) < (CAST($3 AS timestamptz), CAST($4 AS text))
ORDER BY o.created_at DESC, o.id DESC LIMIT $5;

-- OrdersRepository.page (desc, customer filter, page 1)
-- name: orders_page_desc_c
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.customer_id = $2
ORDER BY o.created_at DESC, o.id DESC LIMIT $3;

-- OrdersRepository.page (desc, customer filter, after key)
-- name: orders_page_desc_ck
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.customer_id = $2 AND (o.created_at, o.id) < (CAST($3 AS timestamptz), CAST($4 AS text))
ORDER BY o.created_at DESC, o.id DESC LIMIT $5;

-- OrdersRepository.page (desc, status and customer filters, page 1)
-- name: orders_page_desc_sc
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.status = $2 AND o.customer_id = $3
ORDER BY o.created_at DESC, o.id DESC LIMIT $4;

-- OrdersRepository.page (desc, status and customer filters, after key)
-- name: orders_page_desc_sck
SELECT o.id, o.tenant_id, o.customer_id, o.amount, o.currency, o.status, o.version, o.created_at, o.updated_at, (o.created_at)::text AS "__key0", (o.id)::text AS "__key1" FROM orders o WHERE o.tenant_id = $1 AND o.status = $2 AND o.customer_id = $3 AND (o.created_at, o.id) < (CAST($4 AS timestamptz), CAST($5 AS text))
ORDER BY o.created_at DESC, o.id DESC LIMIT $6;

-- OrdersRepository.setStatus
-- name: orders_set_status
UPDATE orders o SET status = $4, version = o.version + 1, updated_at = now()
WHERE o.tenant_id = $1 AND o.id = $2 AND o.version = $3
RETURNING o.version, o.updated_at;

-- OrdersRepository.setStatuses
UPDATE orders o SET status = u.status, version = o.version + 1, updated_at = now()
FROM unnest($1::text[], $2::text[]) AS u(id, status)
WHERE o.id = u.id;
