import { databaseConfig, idempotencyConfig } from '@app/common';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { escapeLiteral, Pool, type QueryResult } from 'pg';
import { SWEEP_BATCH_SIZE } from './idempotency.constants';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A keyed request: its tenant, key and fingerprint (for a streamed body, the request part). */
export interface KeyedRequest {
  tenantId: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
}

export type ClaimResult =
  /** `replace`: an expired record or a dead owner's claim is in the way. */
  | { kind: 'claimed'; replace: boolean }
  | { kind: 'completed'; response: StoredResponse; fingerprint: string }
  | { kind: 'in_use'; retryAfterSeconds: number }
  | { kind: 'mismatch'; method: string; path: string };

interface ExistingRecord {
  fingerprint: string;
  method: string;
  path: string;
  state: 'processing' | 'completed';
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  expired: boolean;
  stale: boolean;
}

/**
 * A streamed body's fingerprint is `<request part><STREAM_DIGEST_SEPARATOR><body digest>`: the digest
 * is known only once the body has streamed, so a claim is made with the request part alone and a
 * claim compares request parts; the caller checks the body digest of a completed record.
 */
export const STREAM_DIGEST_SEPARATOR = '~';
const requestPart = (fingerprint: string) => fingerprint.split(STREAM_DIGEST_SEPARATOR)[0];

/**
 * The 64-bit advisory lock id of key `$2` of tenant `$1`. The hash seed keeps these ids apart from
 * other features' locks.
 */
export const KEY_LOCK_ID_SQL = `hashtextextended($1 || chr(10) || $2, 7134515)`;

/** An integer as SQL (config values and statuses are validated integers; this keeps it so). */
const int = (n: number) => String(Math.trunc(Number(n)));

const RECORD_COLUMNS = `tenant_id, key, fingerprint, method, path, state, lock_token, locked_at,
  response_status, response_headers, response_body, created_at, expires_at`;
const RECORD_VALUES = `$1, $2, $3, $4, $5, 'completed', NULL, NULL, $6, $7, $8, now(),
  now() + make_interval(secs => $9)`;

/** Stores an outcome whose transaction rolled back (a 4xx from the handler); a newer claim wins. */
const STORE_OUTCOME_SQL = `INSERT INTO idempotency_keys (${RECORD_COLUMNS}) VALUES (${RECORD_VALUES})
ON CONFLICT (tenant_id, key) DO NOTHING`;

/** The statements of a request's own transaction, prepared once per connection. */
const PREPARED: Record<string, string> = {
  idempotency_lock: `PREPARE idempotency_lock(text, text) AS
SELECT pg_try_advisory_xact_lock(${KEY_LOCK_ID_SQL}) AS got`,
  idempotency_read: `PREPARE idempotency_read(text, text, integer) AS
SELECT fingerprint, method, path, state, response_status, response_headers, response_body,
       expires_at <= now() AS expired,
       state = 'processing' AND locked_at < now() - make_interval(secs => $3) AS stale
  FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`,
  idempotency_record: `PREPARE idempotency_record(text, text, text, text, text, integer, jsonb, text, integer) AS
INSERT INTO idempotency_keys (${RECORD_COLUMNS}) VALUES (${RECORD_VALUES})`,
  idempotency_replace: `PREPARE idempotency_replace(text, text, text, text, text, integer, jsonb, text, integer) AS
INSERT INTO idempotency_keys (${RECORD_COLUMNS}) VALUES (${RECORD_VALUES})
ON CONFLICT (tenant_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
  method = EXCLUDED.method, path = EXCLUDED.path, state = 'completed', lock_token = NULL,
  locked_at = NULL, response_status = EXCLUDED.response_status,
  response_headers = EXCLUDED.response_headers, response_body = EXCLUDED.response_body,
  created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
};

/**
 * Keys claimed inside the request's own transaction. The transaction begins with the key's
 * advisory lock (`pg_try_advisory_xact_lock`: a second request with the key while the first runs
 * is answered 409 at once) and, in a statement of its own so that it sees whatever committed before
 * the lock was granted, the key's record. The response is recorded by the statement sent with
 * COMMIT. A fresh key thus costs no round trip of its own: its statements travel with BEGIN and
 * COMMIT (`TransactionRunner.runBracketed`), as EXECUTEs of statements prepared per connection.
 * A crash before the commit leaves neither the handler's writes nor a record, and frees the lock
 * with the connection, so a retry runs at once.
 * Records in state 'processing' are no longer written; older versions' are taken over once stale.
 */
@Injectable()
export class IdempotencyService implements OnApplicationShutdown {
  /**
   * For outcomes recorded outside the request's transaction and for the sweeper. They commit
   * asynchronously: an outcome lost in a crash means only that a retry runs again.
   */
  private readonly pool: Pool;

  constructor(
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

  /** The statements sent with BEGIN: the key's lock, then its record (see `decide`). */
  opening(req: KeyedRequest): { prepare: Record<string, string>; opening: string } {
    const [tenant, key] = [escapeLiteral(req.tenantId), escapeLiteral(req.key)];
    return {
      prepare: PREPARED,
      opening: `EXECUTE idempotency_lock(${tenant}, ${key});
EXECUTE idempotency_read(${tenant}, ${key}, ${int(this.config.lockTimeoutSeconds)})`,
    };
  }

  /** What to do with the request, from the results of `opening`. */
  decide(req: KeyedRequest, [lock, record]: QueryResult[]): ClaimResult {
    const existing = record?.rows[0] as ExistingRecord | undefined;
    if (existing && !existing.expired) {
      if (requestPart(existing.fingerprint) !== requestPart(req.fingerprint)) {
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
      if (!existing.stale) return { kind: 'in_use', retryAfterSeconds: 1 };
    }
    // Absent, expired, or a dead owner's stale claim: ours if nobody else is running it.
    return (lock?.rows[0] as { got?: boolean } | undefined)?.got === true
      ? { kind: 'claimed', replace: existing !== undefined }
      : { kind: 'in_use', retryAfterSeconds: 1 };
  }

  /** The statement sent with COMMIT: the record of the response (`replace`: see `decide`). */
  closingSql(
    req: KeyedRequest,
    claim: { replace: boolean },
    response: StoredResponse,
    fingerprint?: string,
  ): string {
    const args = [
      escapeLiteral(req.tenantId),
      escapeLiteral(req.key),
      escapeLiteral(fingerprint ?? req.fingerprint),
      escapeLiteral(req.method),
      escapeLiteral(req.path),
      int(response.status),
      escapeLiteral(JSON.stringify(response.headers)),
      escapeLiteral(response.body),
      int(this.config.ttlSeconds),
    ];
    const statement = claim.replace ? 'idempotency_replace' : 'idempotency_record';
    return `EXECUTE ${statement}(${args.join(', ')})`;
  }

  /** Records an outcome that wrote nothing (a 4xx from the handler) after its rollback. */
  async storeOutcome(
    req: KeyedRequest,
    response: StoredResponse,
    fingerprint?: string,
  ): Promise<void> {
    await this.pool.query({
      name: 'idempotency_store_outcome',
      text: STORE_OUTCOME_SQL,
      values: [
        req.tenantId,
        req.key,
        fingerprint ?? req.fingerprint,
        req.method,
        req.path,
        response.status,
        JSON.stringify(response.headers),
        response.body,
        this.config.ttlSeconds,
      ],
    });
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
