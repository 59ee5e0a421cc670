import { describe, expect, it } from 'vitest';
import { rateLimitField, rateLimitPolicyField } from './rate-limit-headers';

describe('RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-10)', () => {
  it('writes the policy as q and w, the state as r and t', () => {
    expect(rateLimitPolicyField({ policy: 'default', limit: 60000, windowSeconds: 60 })).toBe(
      '"default";q=60000;w=60',
    );
    expect(rateLimitField({ policy: 'default', remaining: 59999, resetSeconds: 42 })).toBe(
      '"default";r=59999;t=42',
    );
  });

  it('quotes a policy name as a structured-field string, and refuses what cannot be one', () => {
    expect(rateLimitField({ policy: 'a"b\\c', remaining: 0, resetSeconds: 1 })).toBe(
      '"a\\"b\\\\c";r=0;t=1',
    );
    expect(() => rateLimitField({ policy: 'é', remaining: 0, resetSeconds: 1 })).toThrow();
  });
});
