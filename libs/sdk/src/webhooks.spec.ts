import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { BulkJobWebhookEvent, BulkJobWebhookEventType, BulkJobWebhookHeaders } from './types';
import { verifyWebhook, WebhookVerificationError } from './webhooks';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const BODY = JSON.stringify({ id: 'evt_1', type: 'bulk_job.completed', data: { id: 'job_1' } });
const NOW = Date.parse('2026-01-13T15:15:00Z');
const TS = String(NOW / 1000);

const sign = (id: string, ts: string, body: string, secret = SECRET) =>
  `v1,${createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
    .update(`${id}.${ts}.${body}`)
    .digest('base64')}`;
const headers = (overrides: Record<string, string> = {}) => ({
  'webhook-id': 'msg_1',
  'webhook-timestamp': TS,
  'webhook-signature': sign('msg_1', TS, BODY),
  ...overrides,
});

describe('verifyWebhook', () => {
  it('accepts a valid signature and returns the event', () => {
    const event = verifyWebhook(SECRET, headers(), BODY, { now: NOW });
    expect(event).toMatchObject({ id: 'evt_1', type: 'bulk_job.completed' });
  });

  it('types the event and headers from the generated schema (x-webhooks in openapi.json)', () => {
    const h: BulkJobWebhookHeaders = headers();
    const event = verifyWebhook(SECRET, h, BODY, { now: NOW });
    expectTypeOf(event).toEqualTypeOf<BulkJobWebhookEvent>();
    expectTypeOf(event.type).toEqualTypeOf<BulkJobWebhookEventType>();
    expectTypeOf<BulkJobWebhookEventType>().toEqualTypeOf<
      'bulk_job.completed' | 'bulk_job.failed' | 'bulk_job.cancelled'
    >();
    expectTypeOf(h['webhook-signature']).toEqualTypeOf<string>();
    expect(event.type).toBe('bulk_job.completed');
  });

  it('takes Headers, Node header objects (any case) and Buffers', () => {
    const h = headers();
    expect(() =>
      verifyWebhook(SECRET, new Headers(h), Buffer.from(BODY), { now: NOW }),
    ).not.toThrow();
    const upper = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
    expect(() => verifyWebhook(SECRET, upper, BODY, { now: NOW })).not.toThrow();
  });

  it('accepts any matching entry of a multi-signature header (key rotation)', () => {
    const other = sign('msg_1', TS, BODY, 'whsec_b3RoZXIta2V5LW90aGVyLWtleQ==');
    const h = headers({ 'webhook-signature': `${other} v1,bm9wZQ== ${sign('msg_1', TS, BODY)}` });
    expect(() => verifyWebhook(SECRET, h, BODY, { now: NOW })).not.toThrow();
  });

  it('agrees with the reference implementation (standardwebhooks) both ways', () => {
    const ref = new Webhook(SECRET);
    const at = new Date();
    const signature = ref.sign('msg_2', at, BODY);
    const ts = String(Math.floor(at.getTime() / 1000));
    const h = { 'webhook-id': 'msg_2', 'webhook-timestamp': ts, 'webhook-signature': signature };
    expect(verifyWebhook(SECRET, h, BODY)).toMatchObject({ id: 'evt_1' });
    const ours = { ...h, 'webhook-signature': sign('msg_2', ts, BODY) };
    expect(ref.verify(BODY, ours)).toMatchObject({ id: 'evt_1' });
  });

  it.each([
    ['a changed body', headers(), BODY.replace('job_1', 'job_2')],
    ['a changed id', headers({ 'webhook-id': 'msg_2' }), BODY],
    [
      'another secret',
      headers({ 'webhook-signature': sign('msg_1', TS, BODY, 'whsec_AAAA') }),
      BODY,
    ],
    [
      'an unknown version',
      headers({ 'webhook-signature': sign('msg_1', TS, BODY).replace('v1', 'v2') }),
      BODY,
    ],
    [
      'a truncated signature',
      headers({ 'webhook-signature': sign('msg_1', TS, BODY).slice(0, 20) }),
      BODY,
    ],
    ['missing headers', { 'webhook-id': 'msg_1' }, BODY],
    ['a bad timestamp', headers({ 'webhook-timestamp': 'soon' }), BODY],
  ])('rejects %s', (_what, h, body) => {
    expect(() => verifyWebhook(SECRET, h, body, { now: NOW })).toThrow(WebhookVerificationError);
  });

  it('rejects timestamps more than 5 minutes off, either way', () => {
    const at = (s: number) => {
      const ts = String(NOW / 1000 + s);
      return headers({ 'webhook-timestamp': ts, 'webhook-signature': sign('msg_1', ts, BODY) });
    };
    expect(() => verifyWebhook(SECRET, at(-299), BODY, { now: NOW })).not.toThrow();
    expect(() => verifyWebhook(SECRET, at(299), BODY, { now: NOW })).not.toThrow();
    expect(() => verifyWebhook(SECRET, at(-301), BODY, { now: NOW })).toThrow('too old');
    expect(() => verifyWebhook(SECRET, at(301), BODY, { now: NOW })).toThrow('too new');
    expect(() =>
      verifyWebhook(SECRET, at(-600), BODY, { now: NOW, toleranceSeconds: 900 }),
    ).not.toThrow();
  });
});
