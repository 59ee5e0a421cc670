/** Query strings and request headers for the fuzz run: valid, invalid and hostile values. */
import { ALNUM, headerValue, hostileText, urlComponent } from './hostile';
import type { FuzzRequest, Pools } from './request';
import type { Rng } from './rng';
import {
  EVENT_TYPES,
  ITEM_STATUSES,
  JOB_STATUSES,
  OPERATIONS,
  ORDER_STATUSES,
  type Op,
  type QueryParam,
} from './spec';

export const ACCEPTS = [
  'application/json',
  '*/*',
  'application/problem+json',
  'text/csv',
  'application/x-ndjson',
  'application/ndjson',
  'text/csv, application/x-ndjson',
  'application/xml',
  'text/html',
  'image/png;q=0.5, */*;q=0.1',
  '',
  'garbage/;;',
  ';;;,,,',
  'application/json; charset=utf-16',
  headerValue('текст/😀'),
];

export const PREFERS = [
  'wait=garbage',
  'wait=99999',
  'wait=-1',
  'wait=0',
  'wait=1',
  'wait=1e309',
  'wait=99999999999999999999',
  'wait="2"',
  'respond-async, wait=2',
  'wait',
  'wait=',
  'return=minimal',
  'handling=strict; wait=99999',
  headerValue('wait=٣'),
  ',,,;;;',
];

function validQueryValue(r: Rng, p: QueryParam, op: Op, pools: Pools): string {
  switch (p.kind) {
    case 'limit':
    case 'int':
      return String(r.int(1, 100));
    case 'cursor':
      return r.pick(pools.cursors);
    case 'enum':
      return r.pick(p.values ?? ['x']);
    case 'operation':
      return r.pick(OPERATIONS);
    case 'url':
      return r.pick([
        'https://8.8.8.8/hook',
        'http://127.0.0.1/hook',
        'http://nonexistent.invalid/x',
      ]);
    case 'bool':
      return r.pick(['true', 'false']);
    default:
      return op.operationId === 'listOrders' ? r.pick(['cus_fuzz', 'cus_1']) : r.chars(ALNUM, 8);
  }
}

function invalidQueryValue(r: Rng, p: QueryParam, pools: Pools): string {
  const generic = () => hostileText(r);
  switch (p.kind) {
    case 'limit':
    case 'int':
      return r.pick([
        '0',
        '-1',
        '101',
        '1e3',
        '1.5',
        'abc',
        '',
        '1e309',
        '99999999999999999999',
        '-99999999999999999999',
        ' 5',
        '5 ',
        '+5',
        '0x10',
        '٣',
        'Infinity',
        'NaN',
        'null',
        '5abc',
        '00005',
        '1_0',
        generic(),
      ]);
    case 'cursor': {
      const c = r.pick(pools.cursors);
      return r.pick([
        c.slice(0, -1),
        c.slice(0, Math.floor(c.length / 2)),
        c + 'A',
        c.replace(/[A-Za-z]/, (ch) => (ch === 'A' ? 'B' : 'A')),
        c.split('').reverse().join(''),
        '',
        'abc',
        Buffer.from('{"k":["2026-01-01",1],"f":{}}').toString('base64url'),
        Buffer.from('{"__proto__":{"polluted":1}}').toString('base64url'),
        'x'.repeat(3000),
        '.' + c,
        c + '.' + c,
        generic(),
      ]);
    }
    case 'enum':
      return r.pick([
        (p.values?.[0] ?? 'x').toUpperCase(),
        ` ${p.values?.[0] ?? 'x'}`,
        `${p.values?.[0] ?? 'x'}\u0000`,
        'unknown',
        r.pick([...ORDER_STATUSES, ...JOB_STATUSES, ...ITEM_STATUSES, ...EVENT_TYPES]),
        generic(),
      ]);
    case 'operation':
      return r.pick(['nope', 'UPDATE_ORDERS_STATUS', '', 'x'.repeat(101), '__proto__', generic()]);
    case 'url':
      return r.pick([
        'ftp://8.8.8.8/x',
        'javascript:alert(1)',
        'http://',
        'http://user:pass@8.8.8.8/x',
        'http://[::1]/x',
        'http://169.254.169.254/latest/meta-data',
        'http://0x7f000001/',
        'http://localhost:99999/',
        'https://' + 'a'.repeat(3000) + '.com/',
        'not a url',
        generic(),
      ]);
    case 'bool':
      return r.pick(['1', '0', 'yes', 'TRUE', '', 'null', generic()]);
    default:
      return generic();
  }
}

/** A query string for `op`: each parameter omitted, valid or invalid, plus stray parameters. */
export function query(r: Rng, op: Op, req: FuzzRequest, pools: Pools): string {
  const parts: string[] = [];
  for (const p of op.query) {
    const mode = r.weighted([
      [45, 'omit'],
      [30, 'valid'],
      [25, 'invalid'],
    ] as const);
    if (mode === 'omit') continue;
    const name = r.weighted([
      [90, p.name],
      [3, `${p.name}[]`],
      [3, `${p.name}[gt]`],
      [2, p.name.toUpperCase()],
      [2, `${p.name}%00`],
    ] as const);
    const value =
      mode === 'valid'
        ? encodeURIComponent(validQueryValue(r, p, op, pools))
        : urlComponent(r, invalidQueryValue(r, p, pools));
    parts.push(`${name}=${value}`);
    if (r.chance(0.08)) {
      parts.push(`${name}=${encodeURIComponent(validQueryValue(r, p, op, pools))}`);
      req.notes.push(`duplicate ${p.name}`);
    }
  }
  if (r.chance(0.1)) {
    const unknown = r.pick([
      'foo=1',
      '__proto__=1',
      '__proto__[polluted]=yes',
      'constructor[prototype][polluted]=yes',
      'constructor=x',
      'hasOwnProperty=1',
      'toString=1',
      '=1',
      'a'.repeat(300) + '=1',
      `${encodeURIComponent('😀')}=${encodeURIComponent('مرحبا')}`,
      'offset=10',
      'page=2',
    ]);
    parts.push(unknown);
    req.notes.push(`unknown query ${unknown.slice(0, 30)}`);
  }
  if (r.chance(0.03)) parts.push(r.pick(['&&&', '=', '==', '&=&', 'a', '%', '?', '#frag']));
  if (parts.length === 0) return r.chance(0.05) ? '?' : '';
  return '?' + parts.join('&');
}

export function idempotencyKey(r: Rng, req: FuzzRequest): void {
  const key = r.weighted<() => string>([
    [40, () => `fuzz-${r.chars(ALNUM, 20)}`],
    [20, () => r.pick(['fuzz-shared-1', 'fuzz-shared-2', 'fuzz-shared-3'])],
    [6, () => ''],
    [6, () => ' '],
    [6, () => 'k'.repeat(256)],
    [6, () => 'k'.repeat(255)],
    [4, () => r.long('k', 6000)],
    [6, () => headerValue('ключ-😀')],
    [4, () => headerValue('\u202Ekey')],
    [4, () => 'a\tb'],
    [4, () => headerValue(hostileText(r).slice(0, 300))],
  ])();
  req.headers['Idempotency-Key'] = key;
  req.notes.push(`idempotency-key ${JSON.stringify(key.slice(0, 30))} (${key.length})`);
}

export function oddHeader(r: Rng, req: FuzzRequest): void {
  const [name, value] = r.pick([
    ['X-Forwarded-For', 'garbage, ::1, 999.999.999.999'],
    ['X-HTTP-Method-Override', 'DELETE'],
    ['Origin', 'null'],
    ['Cookie', '__proto__=1; constructor=2'],
    ['Range', 'bytes=0-1'],
    ['If-None-Match', '*'],
    ['X-Request-Id', headerValue('😀'.repeat(50))],
    ['Accept-Encoding', 'br;q=1, gzip;q=0, *;q=0'],
    ['Accept-Language', 'ar-EG, he;q=0.9'],
    ['traceparent', 'garbage'],
  ] as const);
  req.headers[name] = value;
  req.notes.push(`header ${name}`);
}
