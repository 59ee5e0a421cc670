import { Agent } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { Test } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from './support/bulk';
import {
  ALNUM,
  csvUpload,
  deepArray,
  deepObject,
  headerValue,
  HOSTILE_NUMBERS,
  hostileText,
  hostileValue,
  JObj,
  type JV,
  MALFORMED_JSON,
  ndjsonUpload,
  pollution,
  Rng,
  seedFor,
  toJson,
  type Upload,
  URL_GARBAGE,
  urlComponent,
} from './support/fuzz-gen';
import { auth, createTestApp, TENANTS, type TestApp } from './support/test-app';

/*
 * OpenAPI-driven fuzzing: every operation of the served spec gets a few hundred generated requests
 * (valid-ish and hostile query, path, header and body values) and every answer must be non-5xx, with
 * problem+json for errors. Reproduce a run with FUZZ_SEED=<seed>; replay single requests with
 * FUZZ_ONLY=<index>,<index>; change the volume with FUZZ_REQUESTS=<n>.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2026);
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 4000);
const ONLY = (process.env.FUZZ_ONLY ?? '')
  .split(',')
  .filter(Boolean)
  .map(Number)
  .filter((n) => Number.isInteger(n) && n >= 0);
/** A busy CI machine stops sending new requests here rather than hit the test timeout. */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 120_000);
const MIN_REQUESTS = 3000;
const CONCURRENCY = 8;
const REQUEST_DEADLINE_MS = 70_000;

const ORDER_STATUSES = ['pending', 'paid', 'cancelled', 'shipped', 'delivered'] as const;
const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
const ITEM_STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
const EVENT_TYPES = ['bulk_job.completed', 'bulk_job.failed', 'bulk_job.cancelled'] as const;
const OPERATIONS = ['update_orders_status', 'create_orders'] as const;
const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY'] as const;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof METHODS)[number];

// ---------------------------------------------------------------------------------------------
// The spec, as far as the fuzzer needs it.

interface Schema {
  type?: string;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
}
interface SpecParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface SpecOperation {
  operationId: string;
  parameters?: SpecParameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}
interface SpecDocument {
  paths: Record<string, Partial<Record<Method, SpecOperation>>>;
  components?: { schemas?: Record<string, Schema> };
  security?: unknown[];
}

type ValueKind = 'limit' | 'cursor' | 'enum' | 'string' | 'operation' | 'url' | 'bool' | 'int';
type FieldKind = ValueKind | 'currency' | 'items' | 'amount';
interface QueryParam {
  name: string;
  kind: ValueKind;
  values?: readonly string[];
}
interface Field {
  name: string;
  kind: FieldKind;
  required: boolean;
  values?: readonly string[];
}
interface Op {
  method: Method;
  path: string;
  operationId: string;
  secured: boolean;
  query: QueryParam[];
  headers: string[];
  bodyTypes: string[];
  fields: Field[];
}

/**
 * Query parameters and DTO properties that the spec served by the tests lacks (the Swagger CLI
 * plugin only runs in `nest build`); the spec's own entries win where present.
 */
const PAGE: QueryParam[] = [
  { name: 'limit', kind: 'limit' },
  { name: 'cursor', kind: 'cursor' },
];
const QUERY_FALLBACK: Record<string, QueryParam[]> = {
  listOrders: [
    ...PAGE,
    { name: 'status', kind: 'enum', values: ORDER_STATUSES },
    { name: 'customer_id', kind: 'string' },
  ],
  listBulkJobs: [
    ...PAGE,
    { name: 'status', kind: 'enum', values: JOB_STATUSES },
    { name: 'operation', kind: 'operation' },
  ],
  listBulkJobItems: [...PAGE, { name: 'status', kind: 'enum', values: ITEM_STATUSES }],
  listEvents: [...PAGE, { name: 'type', kind: 'enum', values: EVENT_TYPES }],
  createBulkJob: [
    { name: 'operation', kind: 'operation' },
    { name: 'webhook_url', kind: 'url' },
    { name: 'atomic', kind: 'bool' },
  ],
};
const BODY_FALLBACK: Record<string, Field[]> = {
  CreateOrderDto: [
    { name: 'customer_id', kind: 'string', required: true },
    { name: 'amount', kind: 'amount', required: true },
    { name: 'currency', kind: 'currency', required: true },
    { name: 'status', kind: 'enum', required: false, values: ORDER_STATUSES },
  ],
  UpdateOrderDto: [{ name: 'status', kind: 'enum', required: true, values: ORDER_STATUSES }],
  CreateBulkJobDto: [
    { name: 'operation', kind: 'operation', required: true },
    { name: 'items', kind: 'items', required: true },
    { name: 'webhook_url', kind: 'url', required: false },
    { name: 'atomic', kind: 'bool', required: false },
  ],
};

function kindOf(name: string, schema: Schema = {}): ValueKind {
  if (name === 'limit') return 'limit';
  if (name === 'cursor') return 'cursor';
  if (name === 'operation') return 'operation';
  if (schema.enum) return 'enum';
  if (schema.type === 'integer' || schema.type === 'number') return 'int';
  if (schema.type === 'boolean') return 'bool';
  if (schema.format === 'uri' || name.endsWith('url')) return 'url';
  return 'string';
}

function fieldsOf(doc: SpecDocument, schema: Schema | undefined): Field[] {
  const name = schema?.$ref?.split('/').pop();
  const resolved = name ? doc.components?.schemas?.[name] : schema;
  const props = Object.entries(resolved?.properties ?? {});
  if (props.length === 0) return name ? (BODY_FALLBACK[name] ?? []) : [];
  const required = new Set(resolved?.required ?? []);
  return props.map(([prop, s]): Field => {
    const fallback = name ? BODY_FALLBACK[name]?.find((f) => f.name === prop) : undefined;
    if (fallback) return { ...fallback, required: required.has(prop) };
    const kind: FieldKind = s.type === 'array' ? 'items' : kindOf(prop, s);
    return { name: prop, kind, required: required.has(prop), values: s.enum?.map(String) };
  });
}

function operationsOf(doc: SpecDocument): Op[] {
  const ops: Op[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = op.parameters ?? [];
      const query: QueryParam[] = params
        .filter((p) => p.in === 'query')
        .map((p) => ({
          name: p.name,
          kind: kindOf(p.name, p.schema),
          values: p.schema?.enum?.map(String),
        }));
      for (const q of QUERY_FALLBACK[op.operationId] ?? [])
        if (!query.some((p) => p.name === q.name)) query.push(q);
      const content = op.requestBody?.content ?? {};
      ops.push({
        method,
        path,
        operationId: op.operationId,
        secured: (op.security ?? doc.security ?? []).length > 0,
        query,
        headers: params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()),
        bodyTypes: Object.keys(content),
        fields: fieldsOf(doc, content['application/json']?.schema),
      });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// Requests.

interface Pools {
  orders: string[];
  jobs: string[];
  foreignOrders: string[];
  foreignJobs: string[];
  cursors: string[];
}

interface FuzzRequest {
  index: number;
  op: string;
  method: Method;
  tenant: 'acme' | 'globex' | 'bad' | 'none';
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  notes: string[];
  /** Invalid credentials on a secured operation: 401, unless the body or URL fails first. */
  badAuth: boolean;
  /** The body or URL may be refused by the parser/router before authentication runs. */
  preAuth: boolean;
  /** Another tenant's id with valid credentials: never a 2xx. */
  crossTenant: boolean;
  /** A method the spec does not list for this path. */
  extra: boolean;
  expect?: number[];
  /** One of the few expensive requests at fixed positions; its outcome is logged. */
  special?: boolean;
}

const ACCEPTS = [
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

const PREFERS = [
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

const WRONG_TYPES = [
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

class Generator {
  constructor(
    private readonly ops: Op[],
    private readonly pools: Pools,
  ) {}

  /** Request `index` of the run: deterministic for a given seed. */
  request(index: number): FuzzRequest {
    const r = new Rng(seedFor(SEED, index));
    const special = this.special(index, r);
    if (special) return special;
    if (index % 37 === 36) return this.extra(index, r);
    return this.forOperation(this.ops[index % this.ops.length], index, r);
  }

  private base(index: number, op: Op, r: Rng): FuzzRequest {
    const req: FuzzRequest = {
      index,
      op: op.operationId,
      method: op.method,
      tenant: 'none',
      url: '',
      headers: {},
      notes: [],
      badAuth: false,
      preAuth: false,
      crossTenant: false,
      extra: false,
    };
    this.authorize(req, op, r);
    return req;
  }

  private authorize(req: FuzzRequest, op: Op, r: Rng): 'acme' | 'globex' | 'bad' | 'none' {
    const mode = r.weighted(
      op.secured
        ? ([
            [80, 'acme'],
            [8, 'globex'],
            [12, 'bad'],
          ] as const)
        : ([
            [80, 'none'],
            [12, 'acme'],
            [8, 'bad'],
          ] as const),
    );
    if (mode === 'acme' || mode === 'globex') Object.assign(req.headers, auth(mode));
    if (mode === 'bad') {
      const bad = r.pick([
        undefined,
        'Bearer wrong',
        'Bearer ',
        'Bearer',
        'Basic a2V5X2FjbWU6',
        `Bearer ${TENANTS.acme}x`,
        `Bearer ${TENANTS.acme} ${TENANTS.acme}`,
        `bearer  ${TENANTS.acme.toUpperCase()}`,
        'Bearer ' + 'k'.repeat(3000),
        headerValue('Bearer ключ😀'),
        'Token key_acme',
        `Bearer ${TENANTS.acme};`,
      ]);
      if (bad !== undefined) req.headers.Authorization = bad;
      req.notes.push(`auth ${bad === undefined ? '(none)' : JSON.stringify(bad.slice(0, 40))}`);
      req.badAuth = op.secured;
    }
    req.notes.push(`tenant ${mode}`);
    req.tenant = mode;
    return mode;
  }

  private forOperation(op: Op, index: number, r: Rng): FuzzRequest {
    const req = this.base(index, op, r);
    const path = op.path.replace(/\{(\w+)\}/g, () => this.pathId(r, op, req));
    let query = this.query(r, op, req);
    const hasIdem = op.headers.includes('idempotency-key');
    if (r.chance(hasIdem ? 0.45 : 0.05)) this.idempotencyKey(r, req);
    if (r.chance(op.headers.includes('prefer') ? 0.5 : 0.05)) {
      req.headers.Prefer = r.chance(0.1) ? 'wait=' + r.long('9', 6000) : r.pick(PREFERS);
      req.notes.push(`prefer ${req.headers.Prefer.slice(0, 30)}`);
    }
    if (r.chance(0.4)) req.headers.Accept = r.pick(ACCEPTS);
    if (r.chance(0.04)) this.oddHeader(r, req);
    if (op.bodyTypes.length > 0) {
      const upload = this.body(r, op, req);
      if (upload) query = upload;
    } else if (r.chance(0.15)) this.strayBody(r, req);
    req.url = path + query;
    this.fitHead(req);
    return req;
  }

  /**
   * Node answers 431 itself (no problem document) when the request head passes 16 KiB; keep under
   * it by cutting the query (the cut may split a percent escape, which is one more hostile input).
   */
  private fitHead(req: FuzzRequest): void {
    const headers = () =>
      Object.entries(req.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
    const over = req.url.length + headers() - 14_000;
    if (over <= 0) return;
    const q = req.url.indexOf('?');
    // Cut the query first, then the path (never below 200 characters).
    const floor = q >= 0 ? q + 1 : Math.min(req.url.length, 200);
    req.url = req.url.slice(0, Math.max(floor, req.url.length - over));
    if (req.url.length > 14_000 - headers()) req.url = req.url.slice(0, 200);
    req.notes.push('URL cut to fit the 16 KiB request head');
  }

  private pathId(r: Rng, op: Op, req: FuzzRequest): string {
    const tenant = req.tenant;
    const orders = op.path.startsWith('/orders');
    const own = orders ? this.pools.orders : this.pools.jobs;
    const foreign = orders ? this.pools.foreignOrders : this.pools.foreignJobs;
    const real = r.pick(own);
    const kind = r.weighted([
      [40, 'real'],
      [8, 'foreign'],
      [15, 'fake'],
      [37, 'hostile'],
    ] as const);
    req.notes.push(`id ${kind}`);
    if (kind === 'real') {
      if (tenant === 'globex') req.crossTenant = true;
      return real;
    }
    if (kind === 'foreign') {
      if (tenant === 'acme') req.crossTenant = true;
      return r.pick(foreign);
    }
    if (kind === 'fake')
      return (
        r.pick(['ord_', 'job_', 'evt_', '']) +
        r.chars('abcdefghijklmnopqrstuvwxyz234567', r.pick([3, 16, 26, 32]))
      );
    const id = r.pick<() => string>([
      () => r.long('x', 5000),
      () => 'ord_' + r.long('A', 5000),
      () => '..%2f..%2f..%2fetc%2fpasswd',
      () => '..%2F',
      () => '..',
      () => '.',
      () => '%2e%2e',
      () => '%00',
      () => real + '%00',
      () => '%E0%A4%A',
      () => real + '%E0%A4%A',
      () => '%',
      () => '%25',
      () => '%2F',
      () => '%3F',
      () => '%23',
      () => ';',
      () => real.toUpperCase(),
      () => real + '%20',
      () => '%20' + real,
      () => real + '.json',
      () => real + '/',
      () => encodeURIComponent('مرحبا'),
      () => encodeURIComponent('😀🔥'),
      () => '😀',
      () => 'ord_é',
      () => encodeURIComponent('\u202Eevil'),
      () => encodeURIComponent("1' OR '1'='1"),
      () => r.pick(['null', 'undefined', '__proto__', 'constructor', 'prototype', 'NaN']),
      () => r.pick(['-1', '0', '1e309', '99999999999999999999', '0x10']),
      () => '',
      () => urlComponent(r, hostileText(r)),
      () => r.pick(URL_GARBAGE),
    ])();
    if (id.includes('%') || id === '' || id.endsWith('/')) req.preAuth = true;
    return id;
  }

  private validQueryValue(r: Rng, p: QueryParam, op: Op): string {
    switch (p.kind) {
      case 'limit':
      case 'int':
        return String(r.int(1, 100));
      case 'cursor':
        return r.pick(this.pools.cursors);
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

  private invalidQueryValue(r: Rng, p: QueryParam): string {
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
        const c = r.pick(this.pools.cursors);
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
        return r.pick([
          'nope',
          'UPDATE_ORDERS_STATUS',
          '',
          'x'.repeat(101),
          '__proto__',
          generic(),
        ]);
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

  private query(r: Rng, op: Op, req: FuzzRequest): string {
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
          ? encodeURIComponent(this.validQueryValue(r, p, op))
          : urlComponent(r, this.invalidQueryValue(r, p));
      parts.push(`${name}=${value}`);
      if (r.chance(0.08)) {
        parts.push(`${name}=${encodeURIComponent(this.validQueryValue(r, p, op))}`);
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

  private idempotencyKey(r: Rng, req: FuzzRequest): void {
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

  private oddHeader(r: Rng, req: FuzzRequest): void {
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

  private item(r: Rng, operation: string): JV {
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
  private body(r: Rng, op: Op, req: FuzzRequest): string | undefined {
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

  private upload(r: Rng, req: FuzzRequest, types: string[], huge: boolean): string {
    const type = r.pick(types);
    const operation = r.weighted([
      [80, r.pick(OPERATIONS)],
      [5, ''],
      [5, 'nope'],
      [5, 'x'.repeat(200)],
      [5, '__proto__'],
    ] as const);
    const op = huge ? 'update_orders_status' : operation;
    const goodLine = () => toJson(this.item(r, op));
    let upload: Upload;
    if (type === 'text/csv') {
      const header =
        op === 'create_orders' ? ['customer_id', 'amount', 'currency', 'ref'] : ['id', 'status'];
      const row = () =>
        op === 'create_orders'
          ? [
              `cus_${r.chars(ALNUM, 5)}`,
              String(r.int(0, 999)),
              r.pick(CURRENCIES),
              `r${r.int(1, 99)}`,
            ]
          : [r.pick(this.pools.orders), r.pick(ORDER_STATUSES)];
      upload = csvUpload(r, header, row, huge);
    } else {
      upload = ndjsonUpload(r, goodLine, huge);
    }
    const variant = r.weighted([
      [80, type],
      [8, `${type}; charset=utf-8`],
      [4, type.toUpperCase()],
      [4, type === 'text/csv' ? 'text/csv; header=present' : 'application/ndjson'],
      [4, type === 'text/csv' ? 'text/comma-separated-values' : 'application/jsonl'],
    ] as const);
    req.headers['Content-Type'] = variant;
    req.body = upload.body;
    req.notes.push(`upload ${variant} ${upload.label} (${upload.body.length} bytes)`);
    const parts = [];
    if (!(r.chance(0.05) && !huge)) parts.push(`operation=${urlComponent(r, op)}`);
    if (r.chance(0.2)) parts.push(`atomic=${r.pick(['true', 'false', 'yes', ''])}`);
    if (r.chance(0.1))
      parts.push(
        `webhook_url=${encodeURIComponent(r.pick(['https://8.8.8.8/h', 'ftp://x', 'http://127.0.0.1/']))}`,
      );
    req.preAuth = true;
    return parts.length ? `?${parts.join('&')}` : '';
  }

  private strayBody(r: Rng, req: FuzzRequest): void {
    const kind = r.pick(['json', 'text', 'malformed', 'ndjson', 'big'] as const);
    req.notes.push(`stray body ${kind}`);
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

  /** A method the spec does not list on a path it does list (or an unknown path). */
  private extra(index: number, r: Rng): FuzzRequest {
    const op = r.pick(this.ops);
    const listed = this.ops.filter((o) => o.path === op.path).map((o) => o.method);
    const missing = METHODS.filter((m) => !listed.includes(m));
    const method = missing.length > 0 ? r.pick(missing) : 'put';
    const req = this.base(index, { ...op, method }, r);
    req.extra = true;
    req.badAuth = false;
    const path = op.path.replace(/\{(\w+)\}/g, () =>
      r.pick([...this.pools.orders, ...this.pools.jobs]),
    );
    req.url = r.chance(0.8)
      ? path
      : r.pick([
          '/nothing-here',
          '/orders/x/y/z',
          '/bulk-jobs/x/nope',
          '/%E0%A4%A',
          '/..%2f..%2fetc/passwd',
          '/admin',
        ]);
    req.notes.push(`extra ${method.toUpperCase()}`);
    if (method !== 'get' && method !== 'delete' && r.chance(0.5)) {
      req.headers['Content-Type'] = 'application/json';
      req.body = Buffer.from(toJson(hostileValue(r)));
      req.preAuth = true;
    }
    return req;
  }

  /** A few expensive requests at fixed positions: 20 MB bodies, a gzip bomb and 2 MB lines. */
  private special(index: number, r: Rng): FuzzRequest | undefined {
    const req = this.specialRequest(index, r);
    if (req) req.special = true;
    return req;
  }

  private specialRequest(index: number, r: Rng): FuzzRequest | undefined {
    const find = (id: string) => this.ops.find((o) => o.operationId === id);
    const createOrder = find('createOrder');
    const createJob = find('createBulkJob');
    const at = (n: number) => index === Math.floor((TOTAL * n) / 7);
    const big = (op: Op): FuzzRequest => {
      const req = this.base(index, op, r);
      req.url = op.path;
      req.headers['Content-Type'] = 'application/json';
      req.body = Buffer.from(
        toJson(
          new JObj([
            ['customer_id', 'x'.repeat(20 * 1024 * 1024)],
            ['amount', 1],
            ['currency', 'EUR'],
          ]),
        ),
      );
      req.expect = [413];
      req.preAuth = true;
      req.notes.push('20 MB body');
      return req;
    };
    if (at(1) && createOrder) return big(createOrder);
    if (at(2) && createJob) return big(createJob);
    if ((at(3) || at(4)) && createOrder) {
      const op = at(3) ? createOrder : (createJob ?? createOrder);
      const req = this.base(index, op, r);
      req.url = op.path;
      req.headers['Content-Type'] = 'application/json';
      req.headers['Content-Encoding'] = 'gzip';
      req.body = gzipSync(Buffer.from(`{"customer_id":"${' '.repeat(30 * 1024 * 1024)}"}`));
      req.expect = [413];
      req.preAuth = true;
      req.notes.push(`gzip bomb (${req.body.length} bytes → 30 MB)`);
      return req;
    }
    if ((at(5) || at(6)) && createJob) {
      const req = this.base(index, createJob, r);
      const types = createJob.bodyTypes.filter((t) => t !== 'application/json');
      const type = at(5)
        ? types.find((t) => t.includes('ndjson'))
        : types.find((t) => t.includes('csv'));
      req.url = createJob.path + this.upload(r, req, [type ?? types[0]], true);
      return req;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Sending and checking.

interface Outcome {
  status: number | 'ERR';
  contentType?: string;
  body?: Buffer;
  headers?: Record<string, string>;
  error?: string;
  ms: number;
}

interface Failure {
  key: string;
  req: FuzzRequest;
  outcome: Outcome;
  problems: string[];
}

const rawParser = (res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => cb(e, Buffer.concat(chunks)));
};

function check(req: FuzzRequest, out: Outcome): string[] {
  const problems: string[] = [];
  if (out.status === 'ERR') return [`no response: ${out.error}`];
  const status = out.status;
  if (status >= 500) problems.push(`status ${status} (5xx)`);
  if (status >= 400) {
    if (!/^application\/problem\+json/i.test(out.contentType ?? ''))
      problems.push(`error without problem+json (content-type ${out.contentType ?? 'none'})`);
    let body: { status?: unknown; code?: unknown } | undefined;
    try {
      body = JSON.parse(out.body?.toString('utf8') ?? '') as typeof body;
    } catch {
      problems.push('error body is not JSON');
    }
    if (body) {
      if (body.status !== status)
        problems.push(`problem.status ${String(body.status)} ≠ ${status}`);
      if (typeof body.code !== 'string') problems.push('problem.code is not a string');
    }
    if (status === 401 && !/^Bearer/i.test(out.headers?.['www-authenticate'] ?? ''))
      problems.push('401 without WWW-Authenticate: Bearer');
  }
  if (req.badAuth && status !== 401 && !(req.preAuth && [400, 404, 413, 415].includes(status)))
    problems.push(`invalid credentials answered ${status}, expected 401`);
  if (req.crossTenant && status >= 200 && status < 300)
    problems.push(`another tenant's id answered ${status}`);
  if (req.expect && !req.expect.includes(status))
    problems.push(`expected ${req.expect.join('|')}, got ${status}`);
  return problems;
}

function excerpt(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

function describeFailure(f: Failure): string {
  const headers = Object.fromEntries(
    Object.entries(f.req.headers).map(([k, v]) => [k, excerpt(v, 80)]),
  );
  const body = f.req.body
    ? excerpt(f.req.body.subarray(0, 400).toString('utf8'), 300) + ` [${f.req.body.length} bytes]`
    : '(none)';
  return [
    `#${f.req.index} ${f.req.method.toUpperCase()} ${excerpt(f.req.url, 200)}  [${f.req.op}]`,
    `  problems: ${f.problems.join('; ')}`,
    `  notes: ${f.req.notes.join(', ')}`,
    `  headers: ${JSON.stringify(headers)}`,
    `  body: ${body}`,
    `  → ${String(f.outcome.status)} ${f.outcome.contentType ?? ''} ${f.outcome.error ?? ''} ${excerpt(
      f.outcome.body?.toString('utf8') ?? '',
      500,
    )}`,
  ].join('\n');
}

describe('OpenAPI-driven fuzzing', () => {
  let t: TestApp;
  let ops: Op[];
  let pools: Pools;
  const agent = new Agent({ keepAlive: false });
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  const send = (req: FuzzRequest): Promise<Outcome> => {
    const started = Date.now();
    let test: Test;
    switch (req.method) {
      case 'get':
        test = t.http.get(req.url);
        break;
      case 'post':
        test = t.http.post(req.url);
        break;
      case 'put':
        test = t.http.put(req.url);
        break;
      case 'patch':
        test = t.http.patch(req.url);
        break;
      default:
        test = t.http.delete(req.url);
    }
    test
      .agent(agent)
      .redirects(0)
      .timeout({ deadline: REQUEST_DEADLINE_MS })
      .buffer(true)
      // Bytes go out as generated: superagent would JSON-serialize a Buffer under a JSON content type.
      .serialize(((body: Buffer) => body) as unknown as (obj: unknown) => string)
      .parse(rawParser as unknown as Parameters<Test['parse']>[0]);
    for (const [name, value] of Object.entries(req.headers)) test.set(name, value);
    if (req.body) test.send(req.body);
    return test.then(
      (res) => ({
        status: res.status,
        contentType: res.headers['content-type'],
        headers: res.headers,
        body: Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.text ?? ''),
        ms: Date.now() - started,
      }),
      (e: Error & { code?: string }) => ({
        status: 'ERR' as const,
        error: `${e.code ?? ''} ${e.message}`,
        ms: Date.now() - started,
      }),
    );
  };

  beforeAll(async () => {
    t = await createTestApp({
      TEST_LABEL: 'fuzz',
      RATE_LIMIT_PER_MINUTE: '0',
      BODY_LIMIT_BYTES: '1048576',
    });
    // A server of our own: supertest would otherwise listen and close around every request.
    await t.app.listen(0, '127.0.0.1');
    const spec = await t.http.get('/openapi.json').expect(200);
    ops = operationsOf(spec.body as SpecDocument);

    const order = async (tenant: 'acme' | 'globex', status?: string) => {
      const res = await t.http
        .post('/orders')
        .set(auth(tenant))
        .send({ customer_id: 'cus_fuzz', amount: 1999, currency: 'EUR', status })
        .expect(201);
      return res.body.id as string;
    };
    const job = async (tenant: 'acme' | 'globex', body: Record<string, unknown>) => {
      const res = await t.http.post('/bulk-jobs').set(auth(tenant)).send(body).expect(202);
      await waitForJob(t.http, res.body.id as string, tenant);
      return res.body.id as string;
    };
    const orders = [
      await order('acme'),
      await order('acme'),
      await order('acme', 'paid'),
      await order('acme', 'shipped'),
      await order('acme'),
      await order('acme'),
    ];
    const foreignOrders = [await order('globex'), await order('globex', 'paid')];
    const jobs = [
      await job('acme', {
        operation: 'update_orders_status',
        items: [
          { id: orders[0], status: 'paid' },
          { id: 'ord_missing', status: 'paid' },
          { id: orders[3], status: 'pending' },
        ],
      }),
      await job('acme', {
        operation: 'create_orders',
        items: [
          { customer_id: 'cus_fuzz', amount: 1, currency: 'EUR', ref: 'a' },
          { customer_id: 'cus_fuzz', amount: -1, currency: 'EUR', ref: 'b' },
        ],
      }),
      await job('acme', {
        operation: 'update_orders_status',
        atomic: true,
        items: [
          { id: orders[1], status: 'paid' },
          { id: 'ord_missing', status: 'paid' },
        ],
      }),
      await job('acme', {
        operation: 'create_orders',
        items: [{ customer_id: 'c', amount: 5, currency: 'USD' }],
      }),
    ];
    const foreignJobs = [
      await job('globex', {
        operation: 'update_orders_status',
        items: [{ id: foreignOrders[0], status: 'paid' }],
      }),
    ];
    const cursors: string[] = [];
    for (const url of [
      '/orders?limit=1',
      '/orders?limit=2&status=pending',
      '/bulk-jobs?limit=1',
      `/bulk-jobs/${jobs[0]}/items?limit=1`,
      '/events?limit=1',
    ]) {
      const res = await t.http.get(url).set(auth()).expect(200);
      if (typeof res.body.next_cursor === 'string') cursors.push(res.body.next_cursor as string);
    }
    expect(cursors.length).toBeGreaterThanOrEqual(3);
    pools = { orders, jobs, foreignOrders, foreignJobs, cursors };
  });

  afterAll(async () => {
    agent.destroy();
    await t?.close();
  });

  it('answers every generated request for every operation without a 5xx, errors as problem+json', async () => {
    expect(ops.length).toBeGreaterThanOrEqual(10);
    const generator = new Generator(ops, pools);
    const indices = ONLY.length > 0 ? ONLY : Array.from({ length: TOTAL }, (_, i) => i);
    console.log(
      `fuzz: seed ${SEED} (FUZZ_SEED=${SEED}), ${indices.length} requests over ${ops.length} operations: ` +
        ops.map((o) => `${o.method.toUpperCase()} ${o.path}`).join(', '),
    );
    const statuses: Record<string, number> = {};
    const perOperation: Record<string, number> = {};
    const failures: Failure[] = [];
    const slow: { ms: number; what: string }[] = [];
    const specials: string[] = [];
    let next = 0;
    const started = Date.now();

    const worker = async () => {
      while (next < indices.length && Date.now() - started < BUDGET_MS) {
        const req = generator.request(indices[next++]);
        const outcome = await send(req);
        statuses[String(outcome.status)] = (statuses[String(outcome.status)] ?? 0) + 1;
        const opKey = req.extra ? 'extra' : req.op;
        perOperation[opKey] = (perOperation[opKey] ?? 0) + 1;
        if (req.special)
          specials.push(
            `#${req.index} ${req.method.toUpperCase()} ${excerpt(req.url, 60)} (${req.notes.slice(-1).join('')}) → ${String(outcome.status)} in ${outcome.ms} ms ${excerpt(outcome.body?.toString('utf8') ?? '', 400)}`,
          );
        if (outcome.ms > 2000)
          slow.push({
            ms: outcome.ms,
            what: `#${req.index} ${req.method} ${excerpt(req.url, 60)} → ${outcome.status} (${req.notes.join(', ')})`,
          });
        const problems = check(req, outcome);
        if (problems.length > 0) {
          const template = req.extra ? req.url.split('?')[0].slice(0, 40) : req.op;
          const kind = req.notes.find((n) => /^(body|upload|stray body|extra|20 MB|gzip)/.test(n));
          const key = `${req.method.toUpperCase()} ${template}: ${problems[0]} [${kind ?? 'no body'}]`;
          failures.push({ key, req, outcome, problems });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const total = Object.values(statuses).reduce((a, b) => a + b, 0);
    const sorted = Object.fromEntries(
      Object.entries(statuses).sort(([a], [b]) => a.localeCompare(b)),
    );
    console.log(
      `fuzz: ${total} requests, statuses ${JSON.stringify(sorted)} in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(seed ${SEED}); per operation ${JSON.stringify(perOperation)}`,
    );
    if (specials.length > 0) console.log(`fuzz: large bodies:\n  ${specials.join('\n  ')}`);
    if (slow.length > 0)
      console.log(
        `fuzz: ${slow.length} requests over 2 s:\n` +
          slow
            .sort((a, b) => b.ms - a.ms)
            .slice(0, 15)
            .map((x) => `  ${x.ms} ms ${x.what}`)
            .join('\n'),
      );
    const distinct = new Map<string, Failure[]>();
    for (const f of failures) distinct.set(f.key, [...(distinct.get(f.key) ?? []), f]);
    for (const [key, list] of distinct) {
      console.error(
        `fuzz FAILURE (seed ${SEED}, ${list.length}×) ${key}\n` +
          list.slice(0, 3).map(describeFailure).join('\n') +
          `\n  replay: FUZZ_SEED=${SEED} FUZZ_ONLY=${list
            .slice(0, 10)
            .map((f) => f.req.index)
            .join(',')}`,
      );
    }
    if (total < indices.length)
      console.warn(
        `fuzz: time budget of ${BUDGET_MS} ms spent after ${total} of ${indices.length}`,
      );
    expect(total).toBeGreaterThanOrEqual(Math.min(indices.length, MIN_REQUESTS));
    expect([...distinct.keys()], `fuzz failures with seed ${SEED}`).toEqual([]);
  }, 180_000);

  it('stays ready and serves normal requests afterwards', async () => {
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    const created = await t.http
      .post('/orders')
      .set(auth())
      .send({ customer_id: 'cus_after', amount: 42, currency: 'EUR' })
      .expect(201);
    expect(created.body).toMatchObject({ customer_id: 'cus_after', amount: 42, status: 'pending' });
    await t.http.get(`/orders/${created.body.id}`).set(auth()).expect(200);
    await t.http.get('/orders?limit=5').set(auth()).expect(200);
  });

  it('left Object.prototype unpolluted', () => {
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.admin).toBeUndefined();
    expect(probe.status).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
