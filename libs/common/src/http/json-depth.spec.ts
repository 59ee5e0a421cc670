import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds, JsonTooDeepError, verifyJsonDepth } from './json-depth';

describe('jsonDepthExceeds', () => {
  it('counts array and object nesting', () => {
    expect(jsonDepthExceeds('[[1]]', 2)).toBe(false);
    expect(jsonDepthExceeds('[[[1]]]', 2)).toBe(true);
    expect(jsonDepthExceeds('{"a":{"b":{}}}', 2)).toBe(true);
    expect(jsonDepthExceeds('{"a":1}{"b":2}', 1)).toBe(false);
  });

  it('ignores brackets inside strings, including escaped quotes', () => {
    expect(jsonDepthExceeds('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(jsonDepthExceeds('{"a":"\\"[[[["}', 1)).toBe(false);
    expect(jsonDepthExceeds('["\\\\",[[]]]', 2)).toBe(true);
  });

  it('accepts realistic bodies and refuses 5000-deep ones', () => {
    expect(
      jsonDepthExceeds(JSON.stringify({ operation: 'x', items: [{ a: { b: [1, 2] } }] })),
    ).toBe(false);
    expect(jsonDepthExceeds('['.repeat(5000) + ']'.repeat(5000))).toBe(true);
  });

  it('reads raw UTF-8 bytes the same way as decoded text', () => {
    const cases = [
      '{"ü€😀":"[[[\\"é"}',
      '["日本語",[["\\u005b"]]]',
      '{"a":"\\\\"}',
      '[["ä"],{"ö":[{}]}]',
    ];
    for (const text of cases) {
      for (const limit of [1, 2, 3, 4]) {
        expect(jsonDepthExceeds(Buffer.from(text, 'utf8'), limit)).toBe(
          jsonDepthExceeds(text, limit),
        );
      }
    }
    expect(jsonDepthExceeds(Buffer.from('[["ä"],{"ö":[{}]}]'), 3)).toBe(true);
    expect(jsonDepthExceeds(Buffer.from('[["ä"],{"ö":[{}]}]'), 4)).toBe(false);
  });

  it('verifyJsonDepth throws a 400 error body-parser can report', () => {
    expect(() => verifyJsonDepth(null, null, Buffer.from('['.repeat(100)))).toThrow(
      JsonTooDeepError,
    );
    expect(new JsonTooDeepError()).toMatchObject({ status: 400, type: 'entity.too.deep' });
    expect(() => verifyJsonDepth(null, null, Buffer.from('{"a":[1]}'))).not.toThrow();
  });
});
