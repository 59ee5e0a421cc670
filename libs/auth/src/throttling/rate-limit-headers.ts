import type { RequestRateLimit } from '@app/common';

/*
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-10): each a Structured
 * Field List of one Item per policy, the policy's name as a String and its figures as Parameters.
 *   RateLimit-Policy: "default";q=60000;w=60   quota q requests (the default unit) per w seconds
 *   RateLimit: "default";r=59999;t=42          r requests remaining, t seconds until the window ends
 */
export const RATE_LIMIT_POLICY_HEADER = 'RateLimit-Policy';
export const RATE_LIMIT_HEADER = 'RateLimit';

/** `RateLimit-Policy` of one policy. */
export function rateLimitPolicyField(
  s: Pick<RequestRateLimit, 'policy' | 'limit' | 'windowSeconds'>,
) {
  return `${sfString(s.policy)};q=${s.limit};w=${s.windowSeconds}`;
}

/** `RateLimit` of one policy. */
export function rateLimitField(s: Pick<RequestRateLimit, 'policy' | 'remaining' | 'resetSeconds'>) {
  return `${sfString(s.policy)};r=${s.remaining};t=${s.resetSeconds}`;
}

/** An sf-string: printable ASCII in quotes, `"` and `\` escaped (RFC 9651, section 3.3.3). */
function sfString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`not a structured-field string: ${value}`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
