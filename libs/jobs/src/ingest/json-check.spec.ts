import { describe, expect, it } from 'vitest';
import { checkJson } from './json-check';

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** A small seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 4 ? 5 : 7));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1.5, -0.25e-7, 1e21, 123456789, -0][Math.floor(r() * 7)];
    case 3:
      return ['', 'a', 'ü€😀', 'quote " and \\ back', 'tab\tnl\n', '\u0001\u2028'][
        Math.floor(r() * 6)
      ];
    case 4:
      return `s${Math.floor(r() * 100)}`;
    case 5:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(r() * 4) }, (_, j) => [`k${j}`, randomValue(r, depth + 1)]),
      );
  }
}

const NOISE = [
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\\',
  ' ',
  '\n',
  '0',
  '-',
  '.',
  'e',
  'u',
  't',
  'x',
];

/** Deletes, inserts or replaces a few characters: mostly invalid JSON, sometimes still valid. */
function mutate(text: string, r: () => number): string {
  let s = text;
  for (let m = 0; m < 1 + Math.floor(r() * 3); m++) {
    const at = Math.floor(r() * (s.length + 1));
    const noise = NOISE[Math.floor(r() * NOISE.length)];
    const op = Math.floor(r() * 3);
    s =
      op === 0
        ? s.slice(0, at) + s.slice(at + 1)
        : op === 1
          ? s.slice(0, at) + noise + s.slice(at)
          : s.slice(0, at) + noise + s.slice(at + 1);
  }
  return s;
}

describe('checkJson', () => {
  it('agrees with JSON.parse on edge cases', () => {
    const cases = [
      '0',
      '-0',
      '01',
      '1.',
      '.5',
      '1e5',
      '1E+5',
      '1e',
      '-',
      '--1',
      '2.5e-3',
      'true',
      'tru',
      'nul',
      'null ',
      ' \t\r\n[] ',
      '[1,]',
      '[,1]',
      '{"a":1,}',
      '{"a" 1}',
      '{a:1}',
      '{"a":1 "b":2}',
      '""',
      '"\\u00e9"',
      '"\\u00g9"',
      '"\\x"',
      '"a\u0001"',
      '"unterminated',
      '"\\"',
      '[1]]',
      '[[1]',
      '{"a":[{"b":{}}]}',
      '{}',
      '[]',
      '{"":""}',
      '1 2',
      '\uFEFF1',
      '',
      ' ',
      '"\uD800"',
      '[1,2,3]x',
    ];
    for (const text of cases) {
      expect(checkJson(text, 64) === 'ok', JSON.stringify(text)).toBe(parses(text));
    }
  });

  it('agrees with JSON.parse on thousands of generated and mutated documents', () => {
    const r = rng(20261202);
    let valid = 0;
    let invalid = 0;
    for (let n = 0; n < 6000; n++) {
      const json = JSON.stringify(randomValue(r, 0));
      const text = n % 3 === 0 ? json : mutate(json, r);
      const ok = parses(text);
      expect(checkJson(text, 64) === 'ok', JSON.stringify(text)).toBe(ok);
      if (ok) valid++;
      else invalid++;
    }
    // Both sides of the comparison were exercised.
    expect(valid).toBeGreaterThan(2000);
    expect(invalid).toBeGreaterThan(2000);
  });

  it('refuses nesting beyond the limit, counting objects and arrays alike', () => {
    expect(checkJson('[[1]]', 2)).toBe('ok');
    expect(checkJson('[[[1]]]', 2)).toBe('too_deep');
    expect(checkJson('{"a":{"b":[]}}', 2)).toBe('too_deep');
    expect(checkJson('{"a":"[[[[["}', 1)).toBe('ok');
    expect(checkJson('['.repeat(65) + ']'.repeat(65), 64)).toBe('too_deep');
    expect(checkJson('['.repeat(64) + ']'.repeat(64), 64)).toBe('ok');
  });
});
