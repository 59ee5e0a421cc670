import { Database, idempotencyKeyLockId, type Statement } from '@app/database';
import { Injectable } from '@nestjs/common';

/** A response as recorded under its key. */
export interface KeyRecord {
  tenantId: string;
  key: string;
  fingerprint: string;
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  ttlSeconds: number;
}

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

const recordValues = (r: KeyRecord) => [
  r.tenantId,
  r.key,
  r.fingerprint,
  r.method,
  r.path,
  Math.trunc(r.status),
  JSON.stringify(r.headers),
  r.body,
  r.ttlSeconds,
];

/**
 * Every statement over `idempotency_keys`. The claim and the record travel with a request's own
 * BEGIN and COMMIT (`Database.bracketed`), so those are handed out as statements, not run here.
 */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(private readonly db: Database) {}

  /** The key's advisory lock (tried), then its record, as seen once the lock was decided. */
  claim(tenantId: string, key: string, staleAfterSeconds: number): Statement[] {
    return [
      { ...STATEMENTS.lock, values: [tenantId, key] },
      { ...STATEMENTS.read, values: [tenantId, key, staleAfterSeconds] },
    ];
  }

  /** Records the response; `replace`: over an expired record or a dead owner's claim. */
  record(record: KeyRecord, replace: boolean): Statement {
    return { ...(replace ? STATEMENTS.replace : STATEMENTS.record), values: recordValues(record) };
  }

  /** Records an outcome outside the request's transaction (it rolled back); a newer record wins. */
  async storeOutcome(record: KeyRecord): Promise<void> {
    await this.db.rows({
      name: 'idempotency_store_outcome',
      text: STORE_OUTCOME_SQL,
      values: recordValues(record),
    });
  }

  /** Deletes up to `batchSize` expired records; returns how many went. */
  deleteExpired(batchSize: number): Promise<number> {
    return this.db.count(
      `DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1))`,
      [batchSize],
    );
  }
}
