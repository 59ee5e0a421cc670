import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

// Separate lists: BlockList matches IPv4 against IPv6 rules through the mapped form (::ffff:a.b.c.d).
// The ranges of the IANA special-purpose registries that are not globally reachable, plus multicast.
const blocked = new BlockList();
const blocked6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  // The deprecated 6to4 relay anycast (RFC 7526): a relay, never a webhook receiver.
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  // Site-local (deprecated by RFC 3879, still routed inside some networks).
  ['fec0::', 10],
  ['ff00::', 8],
  // Documentation (RFC 3849, RFC 9637).
  ['2001:db8::', 32],
  ['3fff::', 20],
  // Discard-only (RFC 6666) and the dummy prefix (RFC 9780).
  ['100::', 64],
  ['100:0:0:1::', 64],
  // Segment Routing SIDs (RFC 9602).
  ['5f00::', 16],
  // IETF protocol assignments (RFC 2928): Teredo 2001::/32 (an IPv4 address inside), benchmarking
  // 2001:2::/48, ORCHID 2001:10::/28 and 2001:20::/28, the anycast service addresses; no webhook
  // receiver lives there.
  ['2001::', 23],
  // Forms that embed an IPv4 address (compatible, mapped, translated, local-use translated
  // (RFC 8215), 6to4): refused unless the embedded address was recognised and checked above.
  ['::', 96],
  ['::ffff:0:0', 96],
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['2002::', 16],
] as const) {
  blocked6.addSubnet(net, prefix, 'ipv6');
}
/** Global unicast (RFC 4291): the rest of the IPv6 space is reserved, so never a public host. */
const globalUnicast6 = new BlockList();
globalUnicast6.addSubnet('2000::', 3, 'ipv6');

export class UnsafeWebhookUrlError extends Error {}

/**
 * True for loopback, private, link-local, unique-local, multicast and other non-public addresses;
 * for IPv6 also anything outside global unicast 2000::/3.
 */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  // IPv4-mapped / -compatible forms (::ffff:127.0.0.1, ::ffff:7f00:1) are checked as IPv4.
  const mapped = /^(?:0*:)*:?(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return blocked.check(mapped[1], 'ipv4');
  const hexMapped = /^(?:0*:)*:ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return blocked.check(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, 'ipv4');
  }
  return !globalUnicast6.check(lower, 'ipv6') || blocked6.check(lower, 'ipv6');
}

export interface ResolvedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/**
 * Checks a webhook URL: http(s) only, no credentials, and every address its host resolves to must be
 * public unless private networks are allowed. Returns the address to connect to (no re-resolution,
 * so DNS rebinding cannot swap it).
 */
export async function resolveWebhookTarget(
  raw: string,
  allowPrivate: boolean,
): Promise<ResolvedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeWebhookUrlError('webhook_url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsafeWebhookUrlError('webhook_url must use http or https');
  }
  if (url.username || url.password)
    throw new UnsafeWebhookUrlError('webhook_url must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw new UnsafeWebhookUrlError(`webhook_url host ${host} does not resolve`);
    }
  }
  if (!addresses.length)
    throw new UnsafeWebhookUrlError(`webhook_url host ${host} does not resolve`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) {
      throw new UnsafeWebhookUrlError(
        `webhook_url resolves to a loopback or private address (${bad.address}); set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow it`,
      );
    }
  }
  return { url, address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}
