import { idempotencyConfig } from '@app/common';
import { Database, idempotencyKeyLockId, type Statement } from '@app/database';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { QueryResult } from 'pg';
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

/** The advisory lock id of key `$2` of tenant `$1` (see `ADVISORY_LOCKS` for the key space). */
export const KEY_LOCK_ID_SQL = idempotencyKeyLockId('$1', '$2');

const RECORD_COLUMNS = `tenant_id, key, fingerprint, method, path, state, lock_token, locked_at,
  response_status, response_headers, response_body, created_at, expires_at`;
const RECORD_VALUES = `$1, $2, $3, $4, $5, 'completed', NULL, NULL, $6, $7, $8, now(),
  now() + make_interval(secs => $9)`;
const RECORD_TYPES = [
  'text',
  'text',
  'text',
  'text',
  'text',
  'integer',
  'jsonb',
  'text',
  'integer',
];

/** Stores an outcome whose transaction rolled back (a 4xx from the handler); a newer claim wins. */
const STORE_OUTCOME_SQL = `INSERT INTO idempotency_keys (${RECORD_COLUMNS}) VALUES (${RECORD_VALUES})
ON CONFLICT (tenant_id, key) DO NOTHING`;

/** The statements of a request's own transaction (named: prepared once per connection where it can be). */
const STATEMENTS = {
  lock: {
    name: 'idempotency_lock',
    types: ['text', 'text'],
    text: `SELECT pg_try_advisory_xact_lock(${KEY_LOCK_ID_SQL}) AS got`,
  },
  read: {
    name: 'idempotency_read',
    types: ['text', 'text', 'integer'],
    text: `SELECT fingerprint, method, path, state, response_status, response_headers, response_body,
       expires_at <= now() AS expired,
       state = 'processing' AND locked_at < now() - make_interval(secs => $3) AS stale
  FROM idempotency_keys WHERE tenant_id = $1 AND key = $2`,
  },
  record: {
    name: 'idempotency_record',
    types: RECORD_TYPES,
    text: `INSERT INTO idempotency_keys (${RECORD_COLUMNS}) VALUES (${RECORD_VALUES})`,
  },
  replace: {
    name: 'idempotency_replace',
    types: RECORD_TYPES,
    text: `INSERT INTO idempotency_keys (${RECORD_COLUMNS}) VALUES (${RECORD_VALUES})
ON CONFLICT (tenant_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint,
  method = EXCLUDED.method, path = EXCLUDED.path, state = 'completed', lock_token = NULL,
  locked_at = NULL, response_status = EXCLUDED.response_status,
  response_headers = EXCLUDED.response_headers, response_body = EXCLUDED.response_body,
  created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
  },
} as const;

/**
 * Keys claimed inside the request's own transaction. The transaction begins with the key's
 * advisory lock (`pg_try_advisory_xact_lock`: a second request with the key while the first runs
 * is answered 409 at once) and, in a statement of its own so that it sees whatever committed before
 * the lock was granted, the key's record. The response is recorded by the statement sent with
 * COMMIT. A fresh key thus costs no round trip of its own: its statements travel with BEGIN and
 * COMMIT (`Database.bracketed`), as EXECUTEs of statements prepared per connection (behind a
 * transaction pooler: with their values written in).
 * A crash before the commit leaves neither the handler's writes nor a record, and frees the lock
 * with the connection, so a retry runs at once.
 * Records in state 'processing' are no longer written; older versions' are taken over once stale.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @Inject(idempotencyConfig.KEY) private readonly config: ConfigType<typeof idempotencyConfig>,
    private readonly db: Database,
  ) {}

  /** The statements sent with BEGIN: the key's lock, then its record (see `decide`). */
  opening(req: KeyedRequest): Statement[] {
    return [
      { ...STATEMENTS.lock, values: [req.tenantId, req.key] },
      { ...STATEMENTS.read, values: [req.tenantId, req.key, this.config.lockTimeoutSeconds] },
    ];
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
  closing(
    req: KeyedRequest,
    claim: { replace: boolean },
    response: StoredResponse,
    fingerprint?: string,
  ): Statement {
    const statement = claim.replace ? STATEMENTS.replace : STATEMENTS.record;
    return { ...statement, values: this.recordValues(req, response, fingerprint) };
  }

  /** Records an outcome that wrote nothing (a 4xx from the handler) after its rollback. */
  async storeOutcome(
    req: KeyedRequest,
    response: StoredResponse,
    fingerprint?: string,
  ): Promise<void> {
    await this.db.rows({
      name: 'idempotency_store_outcome',
      text: STORE_OUTCOME_SQL,
      values: this.recordValues(req, response, fingerprint),
    });
  }

  /** Deletes expired records in batches (keeps each statement short); returns how many went. */
  async sweepExpired(batchSize = SWEEP_BATCH_SIZE): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.count(
        `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1))`,
        [batchSize],
      );
      total += n;
      if (n < batchSize) return total;
    }
  }

  private recordValues(req: KeyedRequest, response: StoredResponse, fingerprint?: string) {
    return [
      req.tenantId,
      req.key,
      fingerprint ?? req.fingerprint,
      req.method,
      req.path,
      Math.trunc(response.status),
      JSON.stringify(response.headers),
      response.body,
      this.config.ttlSeconds,
    ];
  }
}
