import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const CURSOR_VERSION = 1;

export interface CursorPayload {
  v: number;
  /** Key values of the last row. */
  k: string[];
  /** Hash of what the cursor is bound to (tenant, route, filters). */
  b: string;
}

export class InvalidCursorError extends Error {}

/** A stable digest of what a cursor may be used with. */
export function bindingHash(parts: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(parts)
      .sort()
      .map((k) => [k, parts[k] ?? null]),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

/**
 * Opaque, tamper-evident cursors: `base64url(json).base64url(hmac-sha256)`. The first secret signs;
 * every secret verifies, so `CURSOR_SECRET` can be rotated without breaking cursors in flight.
 */
export class CursorCodec {
  private readonly secrets: string[];

  constructor(secrets: string | string[]) {
    this.secrets = (Array.isArray(secrets) ? secrets : secrets.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    if (!this.secrets.length) throw new Error('CursorCodec needs at least one secret');
  }

  private sign(body: string, secret: string): Buffer {
    return createHmac('sha256', secret).update(body).digest();
  }

  encode(key: string[], binding: string): string {
    const payload: CursorPayload = { v: CURSOR_VERSION, k: key, b: binding };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body, this.secrets[0]).toString('base64url')}`;
  }

  /** Verifies signature, version, shape and binding; throws InvalidCursorError with a reason. */
  decode(cursor: string, binding: string, keyLength: number): string[] {
    const parts = cursor.split('.');
    if (parts.length !== 2 || !parts[0] || !parts[1])
      throw new InvalidCursorError('the cursor is malformed');
    const [body, sig] = parts;
    // Compare the canonical text, not decoded bytes: base64url decoding is lenient and would accept
    // many spellings of one signature.
    const given = Buffer.from(sig);
    const valid = this.secrets.some((secret) => {
      const expected = Buffer.from(this.sign(body, secret).toString('base64url'));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!valid)
      throw new InvalidCursorError('the cursor signature does not match (changed or truncated)');
    let payload: CursorPayload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorPayload;
    } catch {
      throw new InvalidCursorError('the cursor is malformed');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new InvalidCursorError('the cursor is malformed');
    }
    if (payload.v !== CURSOR_VERSION)
      throw new InvalidCursorError(`cursor version ${String(payload.v)} is not supported`);
    if (
      !Array.isArray(payload.k) ||
      payload.k.length !== keyLength ||
      payload.k.some((v) => typeof v !== 'string')
    ) {
      throw new InvalidCursorError('the cursor does not fit this list');
    }
    if (payload.b !== binding) {
      throw new InvalidCursorError(
        'the cursor was issued for another list, tenant or set of filters',
      );
    }
    return payload.k;
  }
}
