import { describe, expect, it } from 'vitest';
import { canonicalJson, requestFingerprint } from './fingerprint';

describe('canonicalJson', () => {
  it('sorts object keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('drops undefined properties like JSON does, and nulls undefined array slots', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson(undefined)).toBe('');
  });

  it('escapes keys and strings', () => {
    expect(canonicalJson({ 'a"b': 'x\ny' })).toBe('{"a\\"b":"x\\ny"}');
  });
});

describe('requestFingerprint', () => {
  const fp = requestFingerprint;
  it('is the same for the same request with reordered keys', () => {
    expect(fp('POST', '/orders', { a: 1, b: 2 })).toBe(fp('post', '/orders', { b: 2, a: 1 }));
  });

  it.each([
    ['method', fp('PATCH', '/orders', { a: 1 })],
    ['path', fp('POST', '/orders/x', { a: 1 })],
    ['body value', fp('POST', '/orders', { a: 2 })],
    ['body type', fp('POST', '/orders', { a: '1' })],
    ['extra field', fp('POST', '/orders', { a: 1, b: null })],
  ])('differs when the %s differs', (_what, other) => {
    expect(other).not.toBe(fp('POST', '/orders', { a: 1 }));
  });

  it('is a SHA-256 hex digest', () => {
    expect(fp('POST', '/x', {})).toMatch(/^[0-9a-f]{64}$/);
  });
});
