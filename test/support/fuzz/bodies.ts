/** JSON request bodies for the fuzz run: valid, wrong, polluted, deep, malformed, mislabelled. */
import { gzipSync } from 'node:zlib';
import {
  ALNUM,
  deepArray,
  deepObject,
  headerValue,
  HOSTILE_NUMBERS,
  hostileValue,
  JObj,
  type JV,
  MALFORMED_JSON,
  pollution,
  toJson,
} from './hostile';
import type { FuzzRequest, Pools } from './request';
import type { Rng } from './rng';
import { CURRENCIES, OPERATIONS, ORDER_STATUSES, type Field, type Op } from './spec';
import { uploadRequest } from './uploads';

export const WRONG_TYPES = [
  'text/plain',
  'application/xml',
  'text/xml',
  'multipart/form-data; boundary=----fuzz',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'text/html',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/vnd.api+json',
  'image/png',
  '*/*',
  'application/*',
  'application/jsonx',
  'json',
  ';',
  'application/json, text/plain',
  'text/csv',
  'application/x-ndjson',
  'APPLICATION/JSON',
  'application/json;;;',
  headerValue('application/jsön'),
];

const CHARSETS = [
  'utf-16',
  'utf-16le',
  'utf-16be',
  'utf-32',
  'latin1',
  'iso-8859-1',
  'bogus',
  '"utf-8"',
  'UTF-8',
  '',
  'utf-7',
  'utf-8; charset=utf-16',
];

function multipart(json: string): Buffer {
  return Buffer.from(
    `------fuzz\r\nContent-Disposition: form-data; name="body"\r\nContent-Type: application/json\r\n\r\n${json}\r\n------fuzz--\r\n`,
  );
}

export class Bodies {
  constructor(private readonly pools: Pools) {}

  /** Makes `req` an NDJSON or CSV upload (see `uploadRequest`); returns its query string. */
  upload(r: Rng, req: FuzzRequest, types: string[], huge: boolean): string {
    const item = (operation: string) => this.item(r, operation);
    return uploadRequest(r, req, types, huge, item, this.pools.orders);
  }

  private validField(r: Rng, f: Field, operation: string): JV {
    switch (f.kind) {
      case 'amount':
      case 'int':
      case 'limit':
        return r.int(0, 100_000);
      case 'currency':
        return r.pick(CURRENCIES);
      case 'enum':
        return r.pick(f.values ?? ['x']);
      case 'operation':
        return operation;
      case 'url':
        return r.pick(['https://8.8.8.8/hook', 'http://127.0.0.1/hook']);
      case 'bool':
        return r.chance(0.5);
      case 'items':
        return this.items(r, operation, r.chance(0.05) ? r.int(50, 300) : r.int(1, 5));
      default:
        return `cus_${r.chars(ALNUM, 8)}`;
    }
  }

  item(r: Rng, operation: string): JV {
    if (operation === 'create_orders')
      return new JObj([
        ['customer_id', `cus_${r.chars(ALNUM, 6)}`],
        ['amount', r.int(0, 10_000)],
        ['currency', r.pick(CURRENCIES)],
        ['ref', `row-${r.int(1, 1000)}`],
      ]);
    return new JObj([
      ['id', r.chance(0.8) ? r.pick(this.pools.orders) : `ord_${r.chars(ALNUM, 16)}`],
      ['status', r.pick(ORDER_STATUSES)],
    ]);
  }

  private items(r: Rng, operation: string, n: number): JV[] {
    return Array.from({ length: n }, () => this.item(r, operation));
  }

  private wrongField(r: Rng, f: Field, operation: string): JV {
    if (r.chance(0.3)) return hostileValue(r);
    switch (f.kind) {
      case 'amount':
      case 'int':
        return r.pick<JV>([...HOSTILE_NUMBERS, '100', '1.5', true, null, [1], new JObj()]);
      case 'currency':
        return r.pick<JV>(['eur', 'EURO', 'EU', '€', '123', 'E\u0000R', 978, null, ['EUR']]);
      case 'enum':
        return r.pick<JV>(['PAID', ' paid', 'paid\u0000', 'refunded', 1, null, ['paid'], true]);
      case 'operation':
        return r.pick<JV>(['nope', '', 'x'.repeat(101), 1, null, [operation], '__proto__']);
      case 'url':
        return r.pick<JV>(['ftp://x', 'http://[::1]/', 'http://10.0.0.1/', 'nope', 1, '']);
      case 'bool':
        return r.pick<JV>(['true', 1, 0, 'yes', [], null]);
      case 'items':
        return r.pick<() => JV>([
          () => [],
          () => new JObj(),
          () => 'items',
          () => null,
          () => 1,
          () => [null, 1, 'x', [], true],
          () => Array.from({ length: r.int(1, 20) }, () => hostileValue(r)),
          () => [this.item(r, operation), this.item(r, operation), pollution(r)],
          () => Array.from({ length: r.int(1, 5) }, () => new JObj([['id', r.long('x', 5000)]])),
          () => Array.from({ length: r.int(500, 2000) }, () => new JObj()),
          () => [deepObject(5000)],
        ])();
      default:
        return r.pick<JV>([1, true, null, [], new JObj(), ['a'], '', ' ', r.long('x', 1000)]);
    }
  }

  private object(r: Rng, op: Op, mutate: number): JObj {
    const operation = r.pick(OPERATIONS);
    const entries: [string, JV][] = [];
    for (const f of op.fields) {
      if (!f.required && r.chance(0.5)) continue;
      entries.push([f.name, this.validField(r, f, operation)]);
    }
    for (let i = 0; i < mutate && entries.length > 0; i++) {
      const at = r.int(0, entries.length - 1);
      const f = op.fields.find((x) => x.name === entries[at][0]) ?? op.fields[0];
      entries[at] = [entries[at][0], this.wrongField(r, f, operation)];
    }
    return new JObj(entries);
  }

  /** Sets the JSON or upload body; returns a query string for uploads (envelope in the query). */
  body(r: Rng, op: Op, req: FuzzRequest): string | undefined {
    const uploads = op.bodyTypes.filter((t) => t !== 'application/json');
    const strategy = r.weighted([
      [14, 'valid'],
      [22, 'wrong-field'],
      [8, 'several-wrong'],
      [5, 'missing'],
      [8, 'pollution'],
      [5, 'top-level'],
      [5, 'deep'],
      [5, 'long-strings'],
      [8, 'malformed'],
      [8, 'wrong-content-type'],
      [4, 'charset'],
      [3, 'encoding'],
      [2, 'none'],
      [uploads.length > 0 ? 22 : 0, 'upload'],
    ] as const);
    req.notes.push(`body ${strategy}`);
    req.kinds.push(`body ${strategy}`);
    let json: string;
    let contentType: string | undefined = r.weighted([
      [85, 'application/json'],
      [10, 'application/json; charset=utf-8'],
      [5, 'application/problem+json'],
    ] as const);
    switch (strategy) {
      case 'upload':
        return this.upload(r, req, uploads, false);
      case 'none':
        if (r.chance(0.5)) req.headers['Content-Type'] = 'application/json';
        return undefined;
      case 'valid':
        json = toJson(this.object(r, op, 0));
        break;
      case 'wrong-field':
        json = toJson(this.object(r, op, 1));
        break;
      case 'several-wrong':
        json = toJson(this.object(r, op, r.int(2, 4)));
        break;
      case 'missing': {
        const o = this.object(r, op, 0);
        json = toJson(
          r.chance(0.3)
            ? new JObj()
            : new JObj(
                o.entries
                  .filter(() => r.chance(0.4))
                  .map(([k, v]) => [k, r.chance(0.3) ? null : v]),
              ),
        );
        break;
      }
      case 'pollution': {
        const o = this.object(r, op, 0);
        const p = pollution(r);
        const extra = p instanceof JObj ? p.entries : [['__proto__', p] as [string, JV]];
        json = toJson(
          new JObj(r.chance(0.5) ? [...extra, ...o.entries] : [...o.entries, ...extra]),
        );
        req.preAuth = true;
        break;
      }
      case 'top-level':
        json = r.pick([
          `[${toJson(this.object(r, op, 0))}]`,
          'null',
          '"str"',
          '123',
          '[]',
          'true',
          '1e309',
          toJson(deepArray(5000)),
          '{}',
        ]);
        break;
      case 'deep': {
        const o = this.object(r, op, 0);
        const deep = r.chance(0.5) ? deepArray(5000) : deepObject(5000);
        json = r.chance(0.3)
          ? toJson(deep)
          : toJson(
              new JObj([
                ...o.entries.map(([k, v]): [string, JV] => [k, r.chance(0.4) ? deep : v]),
                ['nested', deep],
              ]),
            );
        break;
      }
      case 'long-strings': {
        const o = this.object(r, op, 0);
        const len = r.pick([10_000, 100_000, 1_100_000]);
        const ch = r.pick(['x', 'é', '😀', '\u0000', '"']);
        json = toJson(
          new JObj(
            o.entries.map(([k, v]): [string, JV] => [
              k,
              typeof v === 'string' || r.chance(0.3) ? ch.repeat(Math.ceil(len / ch.length)) : v,
            ]),
          ),
        );
        if (len > 1_000_000) req.preAuth = true;
        break;
      }
      case 'malformed': {
        const valid = toJson(this.object(r, op, 0));
        json = r.pick([
          r.pick(MALFORMED_JSON),
          valid.slice(0, r.int(0, Math.max(0, valid.length - 1))),
          valid.replace(/:/, '::'),
          valid + ',',
          valid.replace(/"/, "'"),
        ]);
        req.preAuth = true;
        break;
      }
      case 'wrong-content-type': {
        const valid = toJson(this.object(r, op, 0));
        contentType = r.chance(0.1) ? undefined : r.pick(WRONG_TYPES);
        if (contentType?.startsWith('multipart')) req.body = multipart(valid);
        else if (contentType?.includes('xml'))
          req.body = Buffer.from(
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><order><amount>&e;</amount></order>',
          );
        else if (contentType === 'application/x-www-form-urlencoded')
          req.body = Buffer.from('customer_id=c&amount=1&currency=EUR&__proto__[polluted]=yes');
        else req.body = Buffer.from(valid);
        if (contentType !== undefined) req.headers['Content-Type'] = contentType;
        req.preAuth = true;
        req.notes.push(`content-type ${contentType ?? '(none)'}`);
        return undefined;
      }
      case 'charset': {
        const valid = toJson(this.object(r, op, r.chance(0.5) ? 0 : 1));
        const charset = r.pick(CHARSETS);
        req.headers['Content-Type'] = `application/json; charset=${charset}`;
        req.body = /16/.test(charset)
          ? Buffer.concat([
              r.chance(0.5) ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0),
              Buffer.from(valid, 'utf16le'),
            ])
          : charset === 'latin1'
            ? Buffer.from(valid, 'latin1')
            : Buffer.from(valid);
        req.preAuth = true;
        req.notes.push(`charset ${charset}`);
        return undefined;
      }
      case 'encoding': {
        const valid = Buffer.from(toJson(this.object(r, op, 0)));
        const enc = r.pick(['gzip', 'gzip', 'deflate', 'br', 'identity', 'bogus', 'gzip, gzip']);
        req.headers['Content-Type'] = 'application/json';
        req.headers['Content-Encoding'] = enc;
        req.body = enc === 'gzip' && r.chance(0.5) ? gzipSync(valid) : r.bytes(r.int(1, 2048));
        req.preAuth = true;
        req.notes.push(`content-encoding ${enc}`);
        return undefined;
      }
    }
    if (contentType) req.headers['Content-Type'] = contentType;
    req.body = Buffer.from(json);
    if (contentType === 'application/problem+json') req.preAuth = true;
    return undefined;
  }

  /** A body on an operation that takes none. */
  strayBody(r: Rng, req: FuzzRequest): void {
    const kind = r.pick(['json', 'text', 'malformed', 'ndjson', 'big'] as const);
    req.notes.push(`stray body ${kind}`);
    req.kinds.push('stray body');
    req.preAuth = true;
    if (kind === 'text') {
      req.headers['Content-Type'] = 'text/plain';
      req.body = Buffer.from('hello');
    } else if (kind === 'ndjson') {
      req.headers['Content-Type'] = 'application/x-ndjson';
      req.body = Buffer.from('{"a":1}\n{');
    } else {
      req.headers['Content-Type'] = 'application/json';
      req.body = Buffer.from(
        kind === 'json'
          ? toJson(
              new JObj([
                ['status', 'cancelled'],
                ['__proto__', pollution(r)],
              ]),
            )
          : kind === 'malformed'
            ? r.pick(MALFORMED_JSON)
            : toJson(new JObj([['x', 'y'.repeat(200_000)]])),
      );
    }
  }
}
