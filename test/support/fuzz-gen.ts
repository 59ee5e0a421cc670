/**
 * Small, dependency-free generators for the OpenAPI fuzz test: a seeded PRNG and catalogues of
 * hostile strings, JSON values, headers and NDJSON/CSV uploads. Everything is drawn from one `Rng`,
 * so a (seed, request index) pair always yields the same request.
 */

/** mulberry32: tiny, fast, good enough for fuzzing, fully deterministic. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes the run seed with a request index so that one request can be replayed alone. */
export function seedFor(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export class Rng {
  private readonly next: () => number;
  /** Only one very long element (≥ 5k chars) per request keeps the request head under Node's 16 KiB. */
  longBudget = 1;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight: `[[weight, value], …]`. */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, v] of items) {
      x -= w;
      if (x < 0) return v;
    }
    return items[items.length - 1][1];
  }

  chars(alphabet: string, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  bytes(length: number): Buffer {
    const b = Buffer.alloc(length);
    for (let i = 0; i < length; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }

  /** A very long string if the budget allows, else a medium one. */
  long(unit = 'x', length = 10_000): string {
    if (this.longBudget > 0) {
      this.longBudget--;
      return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
    }
    return unit.repeat(Math.ceil(300 / unit.length)).slice(0, 300);
  }
}

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

// ---------------------------------------------------------------------------------------------
// NDJSON and CSV uploads.

export interface Upload {
  body: Buffer;
  label: string;
}

const mix = (r: Rng) => r.pick(['\n', '\r\n', '\r\n', '\n\n', '\r']);

export function ndjsonUpload(r: Rng, goodLine: () => string, huge: boolean): Upload {
  if (huge) {
    const line = `{"id":"${'x'.repeat(2 * 1024 * 1024)}","status":"paid"}`;
    return {
      body: Buffer.from(`${goodLine()}\n${line}\n${goodLine()}\n`),
      label: 'ndjson 2MB line',
    };
  }
  const kind = r.int(0, 9);
  const lines: string[] = [];
  const n = r.int(1, 30);
  switch (kind) {
    case 0:
      for (let i = 0; i < n; i++) lines.push(goodLine());
      return { body: Buffer.from(lines.join('\n') + '\n'), label: 'ndjson valid' };
    case 1:
      for (let i = 0; i < n; i++)
        lines.push(r.chance(0.5) ? goodLine() : r.pick(MALFORMED_JSON).replace(/\n/g, ' '));
      return { body: Buffer.from(lines.join('\n')), label: 'ndjson invalid lines' };
    case 2:
      for (let i = 0; i < n; i++) lines.push(goodLine());
      return {
        body: Buffer.from(lines.map((l) => l + mix(r)).join('')),
        label: 'ndjson CRLF/LF mix',
      };
    case 3:
      return {
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(goodLine() + '\n')]),
        label: 'ndjson BOM',
      };
    case 4:
      return { body: r.bytes(r.int(1, 4096)), label: 'ndjson binary garbage' };
    case 5:
      for (let i = 0; i < n; i++) lines.push(toJson(hostileValue(r)));
      return { body: Buffer.from(lines.join('\n')), label: 'ndjson hostile values' };
    case 6:
      return {
        body: Buffer.concat([
          Buffer.from(goodLine() + '\n'),
          Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0x0a]),
        ]),
        label: 'ndjson invalid UTF-8',
      };
    case 7:
      return {
        body: Buffer.from(r.pick(['\n', '\n\n\n', '   \n\t\n', '\r\n'])),
        label: 'ndjson blank',
      };
    case 8:
      for (let i = 0; i < n; i++) lines.push(toJson(pollution(r)));
      return { body: Buffer.from(lines.join('\n')), label: 'ndjson pollution' };
    default:
      return {
        body: Buffer.from(Array.from({ length: r.int(200, 800) }, () => goodLine()).join('\n')),
        label: 'ndjson many lines',
      };
  }
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function csvUpload(
  r: Rng,
  header: string[],
  goodRow: () => string[],
  huge: boolean,
): Upload {
  const head = header.join(',');
  const row = () => goodRow().map(csvCell).join(',');
  if (huge) {
    return {
      body: Buffer.from(`${head}\n${row()}\n"${'y'.repeat(2 * 1024 * 1024)}",paid\n${row()}\n`),
      label: 'csv 2MB field',
    };
  }
  const n = r.int(1, 30);
  const rows = () => Array.from({ length: n }, row);
  switch (r.int(0, 10)) {
    case 0:
      return { body: Buffer.from([head, ...rows()].join('\n') + '\n'), label: 'csv valid' };
    case 1:
      return {
        body: Buffer.from(`${head}\n${row()}\n"unterminated,${row()}\n${row()}`),
        label: 'csv unterminated quote',
      };
    case 2:
      return {
        body: Buffer.from([head, ...rows()].map((l) => l + mix(r)).join('')),
        label: 'csv CRLF/LF mix',
      };
    case 3:
      return {
        body: Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from(`${head}\r\n${row()}\r\n`),
        ]),
        label: 'csv BOM',
      };
    case 4:
      return { body: r.bytes(r.int(1, 4096)), label: 'csv binary garbage' };
    case 5:
      return {
        body: Buffer.from(`${head}\na\na,b,c,d,e\n,,\n"a""b",c\na"b,c\n""""\n`),
        label: 'csv ragged rows and stray quotes',
      };
    case 6:
      return {
        body: Buffer.from(`__proto__,constructor,prototype\n{"polluted":1},x,y\nadmin,true,1\n`),
        label: 'csv pollution header',
      };
    case 7:
      return {
        body: Buffer.from(r.pick(['', '\n', head, `${head}\n`, ',,,\n', '"'])),
        label: 'csv header only',
      };
    case 8:
      return {
        body: Buffer.from(`${head},${head}\n${row()},${row()}\n`),
        label: 'csv duplicate columns',
      };
    case 9:
      return {
        body: Buffer.from(
          `${head}\n` +
            Array.from({ length: n }, () =>
              header.map(() => csvCell(hostileText(r).slice(0, 200))).join(','),
            ).join('\n'),
        ),
        label: 'csv hostile cells',
      };
    default:
      return {
        body: Buffer.from([head, ...Array.from({ length: r.int(200, 800) }, row)].join('\n')),
        label: 'csv many rows',
      };
  }
}
