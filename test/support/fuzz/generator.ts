import { gzipSync } from 'node:zlib';
import { auth, TENANTS } from '../test-app';
import { Bodies } from './bodies';
import {
  headerValue,
  hostileText,
  hostileValue,
  JObj,
  toJson,
  URL_GARBAGE,
  urlComponent,
} from './hostile';
import { asSent, type FuzzRequest, type Pools, type Tenant } from './request';
import { Rng, seedFor } from './rng';
import { METHODS, type Op } from './spec';
import { ACCEPTS, idempotencyKey, oddHeader, PREFERS, query } from './values';

/**
 * Request `index` of a fuzz run, the same for a given seed: one of the document's operations in
 * turn with generated credentials, ids, query, headers and body; every 37th a method or path the
 * document does not list; and at fixed positions a few expensive bodies (20 MB, a gzip bomb, 2 MB
 * NDJSON lines and CSV fields).
 */
export class Generator {
  private readonly bodies: Bodies;

  constructor(
    private readonly ops: Op[],
    private readonly pools: Pools,
    private readonly run: { seed: number; total: number },
  ) {
    this.bodies = new Bodies(pools);
  }

  request(index: number): FuzzRequest {
    const r = new Rng(seedFor(this.run.seed, index));
    const req =
      this.special(index, r) ??
      (index % 37 === 36 ? this.extra(index, r) : this.forOperation(index, r));
    req.url = asSent(req.url);
    this.fitHead(req);
    return req;
  }

  private base(index: number, op: Op, r: Rng, tenant?: 'acme'): FuzzRequest {
    const req: FuzzRequest = {
      index,
      op: op.operationId,
      method: op.method,
      tenant: 'none',
      url: '',
      headers: {},
      kinds: [],
      notes: [],
      badAuth: false,
      preAuth: false,
      crossTenant: false,
      extra: false,
    };
    if (tenant) {
      Object.assign(req.headers, auth(tenant));
      req.tenant = tenant;
    } else this.authorize(req, op, r);
    req.kinds.push(`tenant ${req.tenant}`);
    return req;
  }

  private authorize(req: FuzzRequest, op: Op, r: Rng): void {
    const mode = r.weighted<Tenant>(
      op.secured
        ? [
            [80, 'acme'],
            [8, 'globex'],
            [12, 'bad'],
          ]
        : [
            [80, 'none'],
            [12, 'acme'],
            [8, 'bad'],
          ],
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
  }

  private forOperation(index: number, r: Rng): FuzzRequest {
    const op = this.ops[index % this.ops.length];
    const req = this.base(index, op, r);
    req.kinds.push(`operation ${op.operationId}`);
    const path = op.path.replace(/\{(\w+)\}/g, () => this.pathId(r, op, req));
    let search = query(r, op, req, this.pools);
    const hasIdem = op.headers.includes('idempotency-key');
    if (r.chance(hasIdem ? 0.45 : 0.05)) idempotencyKey(r, req);
    if (r.chance(op.headers.includes('prefer') ? 0.5 : 0.05)) {
      req.headers.Prefer = r.chance(0.1) ? 'wait=' + r.long('9', 6000) : r.pick(PREFERS);
      req.notes.push(`prefer ${req.headers.Prefer.slice(0, 30)}`);
    }
    if (r.chance(0.4)) req.headers.Accept = r.pick(ACCEPTS);
    if (r.chance(0.04)) oddHeader(r, req);
    if (op.bodyTypes.length > 0) {
      const upload = this.bodies.body(r, op, req);
      if (upload) search = upload;
    } else if (r.chance(0.15)) this.bodies.strayBody(r, req);
    req.url = path + search;
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
    req.kinds.push(`id ${kind}`);
    if (kind === 'real') {
      if (req.tenant === 'globex') req.crossTenant = true;
      return real;
    }
    if (kind === 'foreign') {
      if (req.tenant === 'acme') req.crossTenant = true;
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
    const known = r.chance(0.8);
    req.kinds.push(known ? 'extra method' : 'extra path');
    req.url = known
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

  /**
   * A few expensive requests at fixed positions, sent with valid credentials so that each reaches
   * the limit it is there for: 20 MB bodies, a gzip bomb, a 2 MB NDJSON line and a 2 MB CSV field.
   */
  private special(index: number, r: Rng): FuzzRequest | undefined {
    const find = (id: string) => this.ops.find((o) => o.operationId === id);
    const createOrder = find('createOrder');
    const createJob = find('createBulkJob');
    const at = (n: number) => index === Math.floor((this.run.total * n) / 7);
    const special = (op: Op, kind: string): FuzzRequest => {
      const req = this.base(index, op, r, 'acme');
      req.special = true;
      req.kinds.push(`special ${kind}`);
      req.url = op.path;
      return req;
    };
    if ((at(1) && createOrder) || (at(2) && createJob)) {
      const req = special(at(1) ? createOrder! : createJob!, '20 MB body');
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
      req.notes.push('20 MB body');
      return req;
    }
    if ((at(3) && createOrder) || (at(4) && createJob)) {
      const req = special(at(3) ? createOrder! : createJob!, 'gzip bomb');
      req.headers['Content-Type'] = 'application/json';
      req.headers['Content-Encoding'] = 'gzip';
      req.body = gzipSync(Buffer.from(`{"customer_id":"${' '.repeat(30 * 1024 * 1024)}"}`));
      req.expect = [413];
      req.notes.push(`gzip bomb (${req.body.length} bytes → 30 MB)`);
      return req;
    }
    if ((at(5) || at(6)) && createJob) {
      const type = at(5) ? 'application/x-ndjson' : 'text/csv';
      const req = special(createJob, `2 MB ${type}`);
      req.url += this.bodies.upload(r, req, [type], true);
      return req;
    }
    return undefined;
  }
}
