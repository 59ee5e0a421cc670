import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook, webhookKey } from './signature';
import { isPrivateAddress, resolveWebhookTarget, UnsafeWebhookUrlError } from './url-guard';

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', 'IPv4 loopback'],
    ['127.1.2.3', 'anywhere in 127/8'],
    ['0.0.0.0', 'unspecified IPv4'],
    ['10.0.0.1', '10/8'],
    ['10.255.255.255', 'top of 10/8'],
    ['172.16.0.1', 'bottom of 172.16/12'],
    ['172.31.255.254', 'top of 172.16/12'],
    ['192.168.1.1', '192.168/16'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT 100.64/10'],
    ['100.127.255.254', 'top of 100.64/10'],
    ['224.0.0.1', 'IPv4 multicast'],
    ['239.255.255.250', 'IPv4 multicast (SSDP)'],
    ['::1', 'IPv6 loopback'],
    ['::', 'unspecified IPv6'],
    ['fe80::1', 'IPv6 link-local'],
    ['fc00::1', 'IPv6 unique-local fc00::/7'],
    ['fd12::1', 'IPv6 unique-local fd00::/8'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:10.0.0.1', 'IPv4-mapped 10/8'],
    ['0:0:0:0:0:ffff:127.0.0.1', 'IPv4-mapped loopback, fully written'],
    ['::FFFF:127.0.0.1', 'IPv4-mapped loopback, upper case'],
    ['192.88.99.1', 'deprecated 6to4 relay anycast 192.88.99/24'],
    ['64:ff9b:1::a00:1', 'local-use IPv4/IPv6 translation 64:ff9b:1::/48'],
    ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'top of 64:ff9b:1::/48'],
    ['64:ff9b::808:808', 'well-known NAT64 prefix 64:ff9b::/96, even of a public address'],
    ['fec0::1', 'IPv6 site-local fec0::/10'],
    ['feff:ffff::1', 'top of fec0::/10'],
    ['2001::1', 'Teredo 2001::/32'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'a Teredo address (RFC 4380 example)'],
    ['2001:1::1', 'PCP anycast, in the IETF protocol assignments 2001::/23'],
    ['2001:2::1', 'benchmarking 2001:2::/48'],
    ['2001:10::1', 'ORCHID 2001:10::/28 (deprecated)'],
    ['2001:20::1', 'ORCHIDv2 2001:20::/28'],
    ['2001:1ff:ffff::1', 'top of 2001::/23'],
    ['2001:db8::1', 'documentation 2001:db8::/32'],
    ['3fff::1', 'documentation 3fff::/20 (RFC 9637)'],
    ['3fff:fff:ffff::1', 'top of 3fff::/20'],
    ['5f00::1', 'SRv6 SIDs 5f00::/16'],
    ['100::1', 'discard-only 100::/64'],
    ['100:0:0:1::1', 'dummy prefix 100:0:0:1::/64'],
    ['2002:808:808::1', '6to4 2002::/16'],
    ['4000::1', 'reserved space outside 2000::/3'],
    ['e000::1', 'reserved space below fc00::/7'],
  ])('%s is private (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    ['8.8.8.8', 'public IPv4'],
    ['1.1.1.1', 'public IPv4'],
    ['172.32.0.1', 'just past 172.16/12'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['100.128.0.1', 'just past 100.64/10'],
    ['2606:4700:4700::1111', 'public IPv6'],
    ['2001:4860:4860::8888', 'Google DNS: 2001:4860::/32 lies just past 2001::/23'],
    ['2001:200::1', 'the first address past 2001::/23'],
    ['2a00:1450:4001::1', 'public IPv6'],
    ['3ffe:ffff::1', 'just below 3fff::/20'],
    ['3fff:1000::1', 'just past 3fff::/20'],
    ['::ffff:8.8.8.8', 'IPv4-mapped public address'],
  ])('%s is public (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('treats something that is not an IP address as private (fail closed)', () => {
    expect(isPrivateAddress('example.com')).toBe(true);
    expect(isPrivateAddress('')).toBe(true);
  });
});

describe('resolveWebhookTarget', () => {
  it.each([
    ['ftp://example.com/x', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['http://user:pw@example.com/', /credentials/],
    ['http://user@example.com/', /credentials/],
    ['not a url', /not a valid URL/],
    ['http://localhost/hook', /loopback or private/],
    ['http://127.0.0.1:9/x', /loopback or private address \(127\.0\.0\.1\)/],
    ['http://[::1]/', /loopback or private address \(::1\)/],
    ['http://[::ffff:127.0.0.1]/', /loopback or private/],
    ['http://10.1.2.3/', /loopback or private/],
    ['http://169.254.169.254/latest/meta-data', /loopback or private/],
    ['http://nonexistent.invalid/hook', /does not resolve/],
    // WHATWG URL normalises these spellings of loopback before the check.
    ['http://2130706433/', /\(127\.0\.0\.1\)/],
    ['http://0x7f.1/', /\(127\.0\.0\.1\)/],
    ['http://0/', /\(0\.0\.0\.0\)/],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', /loopback or private/],
    ['http://[64:ff9b:1::a00:1]/', /loopback or private address \(64:ff9b:1::a00:1\)/],
    ['http://[fec0::1]:8080/', /loopback or private/],
    ['http://[2001::53aa:64c:0:0]/', /loopback or private/],
    ['http://[5f00::1]/', /loopback or private/],
    ['http://[3fff::1]/', /loopback or private/],
  ])('refuses %s', async (url, message) => {
    const attempt = resolveWebhookTarget(url, false);
    await expect(attempt).rejects.toBeInstanceOf(UnsafeWebhookUrlError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses non-http schemes, credentials and unresolvable hosts even when private networks are allowed', async () => {
    for (const url of [
      'ftp://example.com/x',
      'file:///etc/passwd',
      'http://user:pw@127.0.0.1/',
      'http://nonexistent.invalid/hook',
    ]) {
      await expect(resolveWebhookTarget(url, true)).rejects.toBeInstanceOf(UnsafeWebhookUrlError);
    }
  });

  it('accepts a loopback target when private networks are allowed and returns the pinned address', async () => {
    const target = await resolveWebhookTarget('http://127.0.0.1:1234/x', true);
    expect(target.address).toBe('127.0.0.1');
    expect(target.family).toBe(4);
    expect(target.url.href).toBe('http://127.0.0.1:1234/x');
  });

  it('returns an IPv6 literal without brackets and family 6', async () => {
    const target = await resolveWebhookTarget('http://[::1]:8080/', true);
    expect(target.address).toBe('::1');
    expect(target.family).toBe(6);
  });

  it('accepts a public IP literal without resolving it', async () => {
    const target = await resolveWebhookTarget('https://8.8.8.8/hook?x=1', false);
    expect(target).toMatchObject({ address: '8.8.8.8', family: 4 });
    expect(target.url.pathname).toBe('/hook');
  });
});

describe('signWebhook', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const body = JSON.stringify({
    id: 'evt_123',
    type: 'bulk_job.completed',
    created_at: '2026-01-13T15:15:00.000Z',
    data: { id: 'job_1', status: 'completed' },
  });
  const now = () => Math.floor(Date.now() / 1000);

  it('produces Standard Webhooks headers that the reference library verifies', () => {
    const headers = signWebhook(secret, 'evt_123', now(), body);
    expect(Object.keys(headers).sort()).toEqual([
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ]);
    expect(headers['webhook-id']).toBe('evt_123');
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('matches the signature the reference library computes for the same input', () => {
    const ts = now();
    const headers = signWebhook(secret, 'evt_abc', ts, body);
    expect(headers['webhook-signature']).toBe(
      new Webhook(secret).sign('evt_abc', new Date(ts * 1000), body),
    );
  });

  it('fails verification for a tampered body, id, timestamp or another secret', () => {
    const headers = signWebhook(secret, 'evt_123', now(), body);
    const wh = new Webhook(secret);
    expect(() => wh.verify(body.replace('completed', 'cancelled'), headers)).toThrow();
    expect(() => wh.verify(`${body} `, headers)).toThrow();
    expect(() => wh.verify(body, { ...headers, 'webhook-id': 'evt_other' })).toThrow();
    expect(() =>
      wh.verify(body, {
        ...headers,
        'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1),
      }),
    ).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('derives the key from the base64 part of whsec_ and makes fresh secrets in that form', () => {
    const s = newWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(webhookKey(s)).toHaveLength(24);
    expect(newWebhookSecret()).not.toBe(s);
    // Works with the bare base64 as well as the prefixed form.
    expect(webhookKey(secret.slice('whsec_'.length))).toEqual(webhookKey(secret));
  });
});

describe('isPrivateAddress: IPv6 forms that embed IPv4', () => {
  it.each(['::7f00:1', '::ffff:0:7f00:1', '2002:7f00:1::', '::127.0.0.1', '::a00:1'])(
    '%s is refused',
    (address) => {
      expect(isPrivateAddress(address)).toBe(true);
    },
  );
});
