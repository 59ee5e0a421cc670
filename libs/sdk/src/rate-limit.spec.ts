import { describe, expect, it } from 'vitest';
import { rateLimitsOf } from './rate-limit';

const headers = (h: Record<string, string>) => new Headers(h);

describe('rateLimitsOf', () => {
  it("reads the service's headers: remaining and reset, quota and window", () => {
    const h = headers({
      RateLimit: '"default";r=59999;t=42',
      'RateLimit-Policy': '"default";q=60000;w=60',
    });
    expect(rateLimitsOf(h)).toEqual([
      { policy: 'default', remaining: 59999, resetSeconds: 42, quota: 60000, windowSeconds: 60 },
    ]);
    expect(rateLimitsOf(new Response(null, { headers: h }))).toHaveLength(1);
  });

  it("reads several policies and the draft's other parameters", () => {
    const h = headers({
      RateLimit: '"permin";r=5;t=30, "daily";r=900;pk=:cHsdsRa894==:',
      'RateLimit-Policy': '"permin";q=50;w=60,"daily";q=1000;qu="requests";w=86400',
    });
    expect(rateLimitsOf(h)).toEqual([
      { policy: 'permin', remaining: 5, resetSeconds: 30, quota: 50, windowSeconds: 60 },
      { policy: 'daily', remaining: 900, quota: 1000, windowSeconds: 86400 },
    ]);
  });

  it('gives nothing without the header, and ignores malformed fields', () => {
    expect(rateLimitsOf(headers({}))).toEqual([]);
    for (const bad of ['default;r=1;t=2', '"default";r=1,', '"default";r=-1', '"a";r=1 "b";r=2']) {
      expect(rateLimitsOf(headers({ RateLimit: bad })), bad).toEqual([]);
    }
    // A policy field that cannot be read leaves the remaining count usable.
    expect(
      rateLimitsOf(headers({ RateLimit: '"default";r=3;t=9', 'RateLimit-Policy': 'nonsense' })),
    ).toEqual([{ policy: 'default', remaining: 3, resetSeconds: 9 }]);
  });
});
