import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BulkJobWebhookEvent } from './types';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

export type WebhookHeaders =
  Headers | Record<string, string | string[] | undefined> | Iterable<[string, string]>;

export interface VerifyWebhookOptions {
  /** Accepted clock skew either way, in seconds. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** Current time in ms (tests). */
  now?: number;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entries: Iterable<[string, unknown]> =
    Symbol.iterator in headers
      ? (headers as Iterable<[string, string]>)
      : Object.entries(headers as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (key.toLowerCase() !== name) continue;
    if (Array.isArray(value)) return value.join(' ');
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** The HMAC key of a Standard Webhooks secret (`whsec_<base64>`). */
export function webhookSecretKey(secret: string): Buffer {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  if (key.length === 0) throw new WebhookVerificationError('Empty webhook secret');
  return key;
}

/**
 * Verifies a webhook delivery per the Standard Webhooks spec and returns its event: HMAC-SHA256 with
 * the secret over `webhook-id.webhook-timestamp.body`, compared in constant time against every
 * `v1,<base64>` entry of `webhook-signature`, with the timestamp within the tolerance. Pass the raw
 * body exactly as received (not re-serialized JSON). Throws `WebhookVerificationError` otherwise.
 */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): BulkJobWebhookEvent {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'Missing webhook-id, webhook-timestamp or webhook-signature',
    );
  }
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('Invalid webhook-timestamp');
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const skew = nowSeconds - Number(timestamp);
  if (skew > tolerance) throw new WebhookVerificationError('Message timestamp too old');
  if (skew < -tolerance) throw new WebhookVerificationError('Message timestamp too new');

  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const expected = createHmac('sha256', webhookSecretKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(payload)
    .digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) throw new WebhookVerificationError('No matching signature');
  try {
    return JSON.parse(payload.toString('utf8')) as BulkJobWebhookEvent;
  } catch {
    throw new WebhookVerificationError('Body is not JSON');
  }
}
