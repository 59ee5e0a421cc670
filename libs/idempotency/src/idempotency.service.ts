import { databaseConfig, idempotencyConfig } from '@app/common';
import { SqlRunner } from '@app/database';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { SWEEP_BATCH_SIZE } from './idempotency.constants';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ClaimRequest {
  tenantId: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
}

export type ClaimResult =
  | { kind: 'claimed'; lockToken: string }
  | { kind: 'completed'; response: StoredResponse; fingerprint: string }
  | { kind: 'in_use'; retryAfterSeconds: number }
  | { kind: 'mismatch'; method: string; path: string };

interface ExistingRecord {
  fingerprint: string;
  method: string;
  path: string;
  state: 'processing' | 'completed';
  lock_token: string | null;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  expired: boolean;
  stale: boolean;
}

export class IdempotencyLockLostError extends Error {}

/**
 * A streamed body's fingerprint is `<request part><STREAM_DIGEST_SEPARATOR><body digest>`: the digest
 * is known only once the body has streamed, so a claim is made with the request part alone and a
 * claim compares request parts; the caller checks the body digest of a completed record.
 */
export const STREAM_DIGEST_SEPARATOR = '~';
const requestPart = (fingerprint: string) => fingerprint.split(STREAM_DIGEST_SEPARATOR)[0];

/**
 * Looks the key up and, only if it is absent, inserts the claim — one statement. Replays and
 * in-use answers are plain reads (no row lock, no write); a fresh key is one insert.
 */
const CLAIM_SQL = `
WITH existing AS (
  SELECT fingerprint, method, path, state, lock_token, response_status, response_headers, response_body,
         expires_at <= now() AS expired,
         state = 'processing' AND locked_at < now() - make_interval(secs => $8) AS stale
    FROM idempotency_keys WHERE tenant_id = $1 AND key = $2
), inserted AS (
  INSERT INTO idempotency_keys
    (tenant_id, key, fingerprint, method, path, state, lock_token, locked_at, created_at, expires_at)
  SELECT $1, $2, $3, $4, $5, 'processing', $6, now(), now(), now() + make_interval(secs => $7)
   WHERE NOT EXISTS (SELECT 1 FROM existing)
  ON CONFLICT (tenant_id, key) DO NOTHING
  RETURNING lock_token
)
SELECT (SELECT lock_token FROM inserted) AS claimed, (SELECT row_to_json(e) FROM existing e) AS existing`;

/** Takes over an expired record, or a 'processing' one whose owner died — only if still so. */
const TAKEOVER_SQL = `
UPDATE idempotency_keys SET
  fingerprint = $3, method = $4, path = $5, state = 'processing', lock_token = $6, locked_at = now(),
  response_status = NULL, response_headers = NULL, response_body = NULL,
  created_at = now(), expires_at = now() + make_interval(secs => $7)
WHERE tenant_id = $1 AND key = $2 AND lock_token IS NOT DISTINCT FROM $9
  AND (expires_at <= now() OR (state = 'processing' AND locked_at < now() - make_interval(secs => $8)))
RETURNING lock_token`;

/** Stores the response and drops the lock, only while this request still holds the key. */
const COMPLETE_SQL = `
UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_headers = $5,
       response_body = $6, lock_token = NULL, locked_at = NULL, fingerprint = COALESCE($7, fingerprint)
 WHERE tenant_id = $1 AND key = $2 AND lock_token = $3`;

const completeParams = (
  tenantId: string,
  key: string,
  lockToken: string,
  response: StoredResponse,
  fingerprint?: string,
) => [
  tenantId,
  key,
  lockToken,
  response.status,
  JSON.stringify(response.headers),
  response.body,
  fingerprint ?? null,
];

@Injectable()
export class IdempotencyService implements OnApplicationShutdown {
  /**
   * Claims, releases and outcomes that wrote nothing else commit asynchronously: they are visible to
   * other sessions at once, and if the server crashed before flushing one, no transaction that
   * depends on it can have been flushed either (WAL is ordered), so a retry simply runs again.
   * Every statement is named: Postgres parses and plans it once per connection, not per request.
   */
  private readonly pool: Pool;

  constructor(
    private readonly sql: SqlRunner,
    @Inject(idempotencyConfig.KEY) private readonly config: ConfigType<typeof idempotencyConfig>,
    @Inject(databaseConfig.KEY) db: ConfigType<typeof databaseConfig>,
  ) {
    this.pool = new Pool({
      connectionString: db.url,
      max: 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5000,
      options: '-c synchronous_commit=off',
      application_name: 'bulk-rest-idempotency',
    });
    this.pool.on('error', () => undefined);
  }

  async claim(req: ClaimRequest): Promise<ClaimResult> {
    const params = [
      req.tenantId,
      req.key,
      req.fingerprint,
      req.method,
      req.path,
      '',
      this.config.ttlSeconds,
      this.config.lockTimeoutSeconds,
    ];
    for (let attempt = 0; attempt < 5; attempt++) {
      const token = randomUUID();
      params[5] = token;
      const { rows } = await this.pool.query<{
        claimed: string | null;
        existing: ExistingRecord | null;
      }>({ name: 'idempotency_claim', text: CLAIM_SQL, values: params });
      const { claimed, existing } = rows[0];
      if (claimed === token) return { kind: 'claimed', lockToken: token };
      if (!existing) continue; // inserted concurrently by another request, not yet in our snapshot
      const same = requestPart(existing.fingerprint) === requestPart(req.fingerprint);
      if (existing.expired || (existing.stale && same)) {
        const taken = await this.pool.query<{ lock_token: string }>({
          name: 'idempotency_takeover',
          text: TAKEOVER_SQL,
          values: [...params, existing.lock_token],
        });
        if (taken.rows[0]?.lock_token === token) return { kind: 'claimed', lockToken: token };
        continue; // someone else took it over or finished: look again
      }
      if (!same) {
        return { kind: 'mismatch', method: existing.method, path: existing.path };
      }
      if (existing.state === 'completed') {
        return {
          kind: 'completed',
          fingerprint: existing.fingerprint,
          response: {
            status: existing.response_status ?? 200,
            headers: existing.response_headers ?? {},
            body: existing.response_body ?? '',
          },
        };
      }
      // A first request normally finishes in milliseconds: suggest a prompt retry.
      return { kind: 'in_use', retryAfterSeconds: 1 };
    }
    return { kind: 'in_use', retryAfterSeconds: 1 };
  }

  /**
   * Stores the response inside the caller's transaction, so it commits or rolls back with the handler's
   * writes. Fails (rolling everything back) if another process took the key over meanwhile.
   */
  async completeInTransaction(
    tenantId: string,
    key: string,
    lockToken: string,
    response: StoredResponse,
    fingerprint?: string,
  ): Promise<void> {
    const { rowCount } = await this.sql.run({
      name: 'idempotency_complete',
      text: COMPLETE_SQL,
      values: completeParams(tenantId, key, lockToken, response, fingerprint),
    });
    if (rowCount !== 1) {
      throw new IdempotencyLockLostError(`idempotency key ${key} was taken over`);
    }
  }

  /** Stores an outcome that wrote nothing (a 4xx from the handler) outside any transaction. */
  async complete(
    tenantId: string,
    key: string,
    lockToken: string,
    response: StoredResponse,
    fingerprint?: string,
  ): Promise<void> {
    await this.pool.query({
      name: 'idempotency_complete',
      text: COMPLETE_SQL,
      values: completeParams(tenantId, key, lockToken, response, fingerprint),
    });
  }

  /** Forgets a claim whose request did nothing (validation failure, 5xx), so the client may retry. */
  async release(tenantId: string, key: string, lockToken: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND lock_token = $3`,
      [tenantId, key, lockToken],
    );
  }

  /** Deletes expired records in batches (keeps each statement short); returns how many went. */
  async sweepExpired(batchSize = SWEEP_BATCH_SIZE): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.pool.query(
        `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1))`,
        [batchSize],
      );
      const n = result.rowCount ?? 0;
      total += n;
      if (n < batchSize) return total;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
