-- Statements IdempotencyKeysRepository sends, recorded by test/sql-snapshots.e2e-spec.ts (values left out).
-- Refresh: UPDATE_SQL_SNAPSHOTS=1 npx vitest run test/sql-snapshots.e2e-spec.ts

-- IdempotencyKeysRepository.claim
-- name: idempotency_lock
SELECT pg_try_advisory_xact_lock(hashtextextended($1 || chr(10) || $2, 7134515)) AS got;
-- name: idempotency_read
SELECT fingerprint, method, path, state, response_status, response_headers, response_body,
expires_at <= now() AS expired,
state = 'processing' AND locked_at < now() - make_interval(secs => $3) AS stale
FROM idempotency_keys WHERE tenant_id = $1 AND key = $2;

-- IdempotencyKeysRepository.deleteExpired (batch of 2, two expired)
DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1));

-- IdempotencyKeysRepository.record (new key)
-- name: idempotency_record
INSERT INTO idempotency_keys (tenant_id, key, fingerprint, method, path, state, lock_token, locked_at,
response_status, response_headers, response_body, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, 'completed', NULL, NULL, $6, $7, $8, now(),
now() + make_interval(secs => $9));

-- IdempotencyKeysRepository.record (replacing an expired record)
-- name: idempotency_replace
INSERT INTO idempotency_keys (tenant_id, key, fingerprint, method, path, state, lock_token, locked_at,
response_status, response_headers, response_body, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, 'completed', NULL, NULL, $6, $7, $8, now(),
now() + make_interval(secs => $9))
ON CONFLICT (tenant_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
method = EXCLUDED.method, path = EXCLUDED.path, state = 'completed', lock_token = NULL,
locked_at = NULL, response_status = EXCLUDED.response_status,
response_headers = EXCLUDED.response_headers, response_body = EXCLUDED.response_body,
created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at;

-- IdempotencyKeysRepository.storeOutcome
-- name: idempotency_store_outcome
INSERT INTO idempotency_keys (tenant_id, key, fingerprint, method, path, state, lock_token, locked_at,
response_status, response_headers, response_body, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, 'completed', NULL, NULL, $6, $7, $8, now(),
now() + make_interval(secs => $9))
ON CONFLICT (tenant_id, key) DO NOTHING;
