import { idempotencyConfig } from '@app/common';
import type { Statement } from '@app/database';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { QueryResult } from 'pg';
import { SWEEP_BATCH_SIZE } from './idempotency.constants';
import { IdempotencyKeysRepository, type KeyRecord } from './idempotency-keys.repository';

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A keyed request: its tenant, key and fingerprint (a streamed body's includes its digest). */
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
  | { kind: 'completed'; response: StoredResponse }
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
 * A streamed body's fingerprint is `<request part><STREAM_DIGEST_SEPARATOR><SHA-256 of the body>`:
 * the body is received whole before the claim, so fingerprints compare whole, as for JSON bodies.
 */
export const STREAM_DIGEST_SEPARATOR = '~';

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
    private readonly keys: IdempotencyKeysRepository,
  ) {}

  /** The statements sent with BEGIN: the key's lock, then its record (see `decide`). */
  opening(req: KeyedRequest): Statement[] {
    return this.keys.claim(req.tenantId, req.key, this.config.lockTimeoutSeconds);
  }

  /** What to do with the request, from the results of `opening`. */
  decide(req: KeyedRequest, [lock, record]: QueryResult[]): ClaimResult {
    const existing = record?.rows[0] as ExistingRecord | undefined;
    if (existing && !existing.expired) {
      if (existing.fingerprint !== req.fingerprint) {
        return { kind: 'mismatch', method: existing.method, path: existing.path };
      }
      if (existing.state === 'completed') {
        return {
          kind: 'completed',
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
  closing(req: KeyedRequest, claim: { replace: boolean }, response: StoredResponse): Statement {
    return this.keys.record(this.asRecord(req, response), claim.replace);
  }

  /** Records an outcome that wrote nothing (a 4xx from the handler) after its rollback. */
  storeOutcome(req: KeyedRequest, response: StoredResponse): Promise<void> {
    return this.keys.storeOutcome(this.asRecord(req, response));
  }

  /** Deletes expired records in batches (keeps each statement short); returns how many went. */
  async sweepExpired(batchSize = SWEEP_BATCH_SIZE): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.keys.deleteExpired(batchSize);
      total += n;
      if (n < batchSize) return total;
    }
  }

  private asRecord(req: KeyedRequest, response: StoredResponse): KeyRecord {
    return {
      ...req,
      ...response,
      ttlSeconds: this.config.ttlSeconds,
    };
  }
}
