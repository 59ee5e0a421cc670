import { idempotencyConfig } from '@app/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
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
  | { kind: 'completed'; response: StoredResponse }
  | { kind: 'in_use'; retryAfterSeconds: number }
  | { kind: 'mismatch'; method: string; path: string };

interface KeyRow {
  fingerprint: string;
  method: string;
  path: string;
  state: 'processing' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  lock_age_seconds: number | null;
}

export class IdempotencyLockLostError extends Error {}

@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(idempotencyConfig.KEY) private readonly config: ConfigType<typeof idempotencyConfig>,
  ) {}

  /**
   * Claims the key in its own committed statement, so a concurrent duplicate sees it at once. An expired
   * record, or a 'processing' one whose owner died (stale lock, same request), is taken over.
   */
  async claim(req: ClaimRequest): Promise<ClaimResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = randomUUID();
      const claimed = await this.dataSource.query<{ lock_token: string }[]>(
        `INSERT INTO idempotency_keys
           (tenant_id, key, fingerprint, method, path, state, lock_token, locked_at, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'processing', $6, now(), now(), now() + make_interval(secs => $7))
         ON CONFLICT (tenant_id, key) DO UPDATE SET
           fingerprint = EXCLUDED.fingerprint, method = EXCLUDED.method, path = EXCLUDED.path,
           state = 'processing', lock_token = EXCLUDED.lock_token, locked_at = now(),
           response_status = NULL, response_headers = NULL, response_body = NULL,
           created_at = now(), expires_at = EXCLUDED.expires_at
         WHERE idempotency_keys.expires_at <= now()
            OR (idempotency_keys.state = 'processing'
                AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
                AND idempotency_keys.locked_at < now() - make_interval(secs => $8))
         RETURNING lock_token`,
        [
          req.tenantId,
          req.key,
          req.fingerprint,
          req.method,
          req.path,
          token,
          this.config.ttlSeconds,
          this.config.lockTimeoutSeconds,
        ],
      );
      if (claimed[0]?.lock_token === token) return { kind: 'claimed', lockToken: token };

      const [row] = await this.dataSource.query<KeyRow[]>(
        `SELECT fingerprint, method, path, state, response_status, response_headers, response_body,
                EXTRACT(EPOCH FROM now() - locked_at)::float8 AS lock_age_seconds
           FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND expires_at > now()`,
        [req.tenantId, req.key],
      );
      if (!row) continue; // released or expired in between: claim again
      if (row.fingerprint !== req.fingerprint)
        return { kind: 'mismatch', method: row.method, path: row.path };
      if (row.state === 'completed') {
        return {
          kind: 'completed',
          response: {
            status: row.response_status ?? 200,
            headers: row.response_headers ?? {},
            body: row.response_body ?? '',
          },
        };
      }
      const remaining = this.config.lockTimeoutSeconds - (row.lock_age_seconds ?? 0);
      return { kind: 'in_use', retryAfterSeconds: Math.max(1, Math.min(5, Math.ceil(remaining))) };
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
  ): Promise<void> {
    const result: unknown = await this.txHost.tx.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_headers = $5,
              response_body = $6, lock_token = NULL, locked_at = NULL
        WHERE tenant_id = $1 AND key = $2 AND lock_token = $3`,
      [tenantId, key, lockToken, response.status, JSON.stringify(response.headers), response.body],
    );
    if (affected(result) !== 1)
      throw new IdempotencyLockLostError(`idempotency key ${key} was taken over`);
  }

  /** Stores an outcome that wrote nothing (a 4xx from the handler) outside any transaction. */
  async complete(
    tenantId: string,
    key: string,
    lockToken: string,
    response: StoredResponse,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $4, response_headers = $5,
              response_body = $6, lock_token = NULL, locked_at = NULL
        WHERE tenant_id = $1 AND key = $2 AND lock_token = $3`,
      [tenantId, key, lockToken, response.status, JSON.stringify(response.headers), response.body],
    );
  }

  /** Forgets a claim whose request did nothing (validation failure, 5xx), so the client may retry. */
  async release(tenantId: string, key: string, lockToken: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND lock_token = $3`,
      [tenantId, key, lockToken],
    );
  }

  /** Deletes expired records in batches (keeps each statement short); returns how many went. */
  async sweepExpired(batchSize = SWEEP_BATCH_SIZE): Promise<number> {
    let total = 0;
    for (;;) {
      const result: unknown = await this.dataSource.query(
        `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1))`,
        [batchSize],
      );
      const n = affected(result);
      total += n;
      if (n < batchSize) return total;
    }
  }
}

/** TypeORM's postgres driver answers UPDATE/DELETE from `query()` with `[rows, rowCount]`. */
function affected(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
