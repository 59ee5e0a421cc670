/**
 * Catalogues of hostile strings, URL fragments, header values and JSON values for the fuzz run,
 * JSON that JSON.stringify cannot express (duplicate and `__proto__` keys, raw number text), and
 * JSON text that does not parse. Everything is drawn from one `Rng`.
 */
import type { Rng } from './rng';

export const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Text that tends to break parsers, validators, SQL and logs. Plain JS strings, not yet encoded. */
export const HOSTILE_TEXT: readonly string[] = [
  '',
  ' ',
  '   ',
  '0',
  '-1',
  '1.5',
  '1e309',
  '-1e309',
  '99999999999999999999',
  '9007199254740993',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '0x1F',
  '٣',
  '😀🔥💥',
  '👨‍👩‍👧‍👦',
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  'שלום',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\uFEFF',
  '\uFFFF',
  '\r\n',
  '\t',
  "' OR '1'='1",
  "'; DROP TABLE orders; --",
  '\\',
  '"',
  '%',
  '%00',
  '%E0%A4%A',
  '%zz',
  '../../../etc/passwd',
  '..%2f..%2f',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  '$gt',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
];

export function hostileText(r: Rng): string {
  const k = r.int(0, 9);
  if (k === 0) return r.long(r.pick(['x', 'é', '😀', 'ا', '\u0000', 'ab']), r.pick([5000, 10_000]));
  if (k === 1) return r.chars(ALNUM + '-_.~!*()', r.int(1, 40));
  return r.pick(HOSTILE_TEXT);
}

/** Percent-encoding garbage and hostile raw fragments, meant to be put into a URL as-is. */
export const URL_GARBAGE: readonly string[] = [
  '%00',
  '%E0%A4%A',
  '%E0%A4',
  '%',
  '%%',
  '%zz',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%F0%9F%98',
  '%2e%2e%2f',
  '..%2f..%2f',
  '%u0041',
  '+',
  '%20',
  '%0d%0aSet-Cookie:%20x=1',
];

/** Encodes for a URL component; lone surrogates make encodeURIComponent throw, so fall back to garbage. */
export function urlComponent(r: Rng, value: string): string {
  const mode = r.weighted([
    [7, 'encode'],
    [2, 'raw'],
    [1, 'garbage'],
  ] as const);
  if (mode === 'garbage') return value.slice(0, 20) + r.pick(URL_GARBAGE);
  if (mode === 'raw' && /^[\x21-\x7e]*$/.test(value) && !/[#?&/]/.test(value)) return value;
  try {
    return encodeURIComponent(value);
  } catch {
    return r.pick(URL_GARBAGE);
  }
}

/** Header values must be latin1 without control characters; send UTF-8 bytes as latin1 text. */
export function headerValue(value: string): string {
  return (
    Buffer.from(value, 'utf8')
      .toString('latin1')
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '')
  );
}

// ---------------------------------------------------------------------------------------------
// JSON with things JSON.stringify cannot express: duplicate and `__proto__` keys, raw number text.

export class Raw {
  constructor(readonly text: string) {}
}
export class JObj {
  constructor(readonly entries: [string, JV][] = []) {}
}
export type JV = null | boolean | number | string | JV[] | JObj | Raw;

export function toJson(v: JV): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof JObj)
    return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  return JSON.stringify(v) ?? 'null';
}

export const deepArray = (depth: number) => new Raw('['.repeat(depth) + ']'.repeat(depth));
export const deepObject = (depth: number) =>
  new Raw('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

/** Objects whose keys try to reach `Object.prototype` once merged or assigned. */
export function pollution(r: Rng): JV {
  const payload = new JObj([
    ['polluted', 'yes'],
    ['admin', true],
    ['status', 'delivered'],
  ]);
  return r.pick<JV>([
    new JObj([['__proto__', payload]]),
    new JObj([['constructor', new JObj([['prototype', payload]])]]),
    new JObj([['prototype', payload]]),
    new JObj([['__proto__.polluted', 'yes']]),
    new JObj([['constructor.prototype.polluted', 'yes']]),
    new JObj([
      ['__proto__', payload],
      ['__proto__', new JObj([['admin', 1]])],
    ]),
    [new JObj([['__proto__', payload]])],
  ]);
}

/** Numbers and number-like raw JSON that break integer handling. */
export const HOSTILE_NUMBERS: readonly JV[] = [
  new Raw('1e309'),
  new Raw('-1e309'),
  new Raw('99999999999999999999'),
  new Raw('-99999999999999999999'),
  new Raw('9007199254740993'),
  new Raw('1e-400'),
  new Raw('-0'),
  new Raw('0.0000001'),
  new Raw('1E2'),
  new Raw('123456789012345678901234567890e100'),
  -1,
  1.5,
  0,
  2147483648,
  -2147483649,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
];

/** Any hostile JSON value: scalar, container, nesting, pollution. */
export function hostileValue(r: Rng, depth = 0): JV {
  const k = r.int(0, 13);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.pick([true, false]);
    case 2:
    case 3:
      return r.pick(HOSTILE_NUMBERS);
    case 4:
    case 5:
    case 6:
      return hostileText(r);
    case 7:
      return [];
    case 8:
      return new JObj();
    case 9:
      return depth < 2 ? [hostileValue(r, depth + 1), hostileValue(r, depth + 1)] : [1, 'a'];
    case 10:
      return r.chance(0.5) ? deepArray(r.pick([50, 1000, 5000])) : deepObject(r.pick([50, 5000]));
    case 11:
      return pollution(r);
    case 12:
      return new JObj([['$gt', '']]);
    default:
      return depth < 2
        ? new JObj([[hostileText(r).slice(0, 50), hostileValue(r, depth + 1)]])
        : 'x';
  }
}

/** JSON text that does not parse, or parses into something odd. */
export const MALFORMED_JSON: readonly string[] = [
  '',
  ' ',
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{a:1}',
  '{"a":NaN}',
  '{"a":Infinity}',
  '{"a":undefined}',
  '{"a":1}/* c */',
  '// c\n{}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"\u0000raw"}',
  '{"a":1}{"b":2}',
  '[1,2',
  'nul',
  'tru',
  '\uFEFF{}',
  '"unterminated',
  '{"a":01}',
  '{"a":.5}',
  '{"a":1e}',
  '{"a":-}',
  '{"":""}',
  '{"a"::1}',
  '\u0000',
  '{"a":"\ud800"}',
];
