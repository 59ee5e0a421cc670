import { describe, expect, it } from 'vitest';
import { inlineStatement, sqlLiteral } from './statement';

describe('sqlLiteral', () => {
  it('quotes strings so that no value can end the literal', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral('back\\slash')).toBe(" E'back\\\\slash'");
  });

  it('writes numbers, booleans and NULL bare, and refuses what SQL cannot hold', () => {
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral(-1.5)).toBe('-1.5');
    expect(sqlLiteral(true)).toBe('true');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined, 'text')).toBe('NULL::text');
    expect(() => sqlLiteral(Number.NaN)).toThrow(TypeError);
  });

  it('writes arrays in Postgres array syntax, quoting every element', () => {
    // escapeLiteral doubles the backslash that escapes the quote inside the array.
    expect(sqlLiteral(['a', 'b"c', null], 'text[]')).toBe(` E'{"a","b\\\\"c",NULL}'::text[]`);
    expect(sqlLiteral([1, 2])).toBe(`'{"1","2"}'`);
    expect(sqlLiteral([])).toBe(`'{}'`);
  });

  it('writes dates in ISO 8601 and objects as JSON', () => {
    expect(sqlLiteral(new Date('2026-01-13T15:15:00Z'))).toBe("'2026-01-13T15:15:00.000Z'");
    expect(sqlLiteral({ a: "x'y" })).toBe(`'{"a":"x''y"}'`);
  });
});

describe('inlineStatement', () => {
  it('replaces each placeholder with its value, $10 apart from $1', () => {
    const values = Array.from({ length: 10 }, (_, i) => `v${i + 1}`);
    expect(inlineStatement({ text: 'SELECT $1, $10', values })).toBe("SELECT 'v1', 'v10'");
  });

  it('leaves placeholders inside quoted strings and identifiers alone', () => {
    const text = `SELECT '$1', "$1", $1 WHERE x = 'it''s $2'`;
    expect(inlineStatement({ text, values: ['a'] })).toBe(
      `SELECT '$1', "$1", 'a' WHERE x = 'it''s $2'`,
    );
  });

  it('casts to the declared types and fails on a missing value', () => {
    expect(
      inlineStatement({ text: 'SELECT $1, $2', values: ['a', 1], types: ['text', 'int'] }),
    ).toBe("SELECT 'a'::text, 1::int");
    expect(() => inlineStatement({ text: 'SELECT $2', values: ['a'] })).toThrow(RangeError);
  });
});
