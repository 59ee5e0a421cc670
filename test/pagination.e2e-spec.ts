import { paginationConfig } from '@app/common';
import { sqlLiteral, type Statement } from '@app/database';
import { CursorCodec } from '@app/pagination';
import type { ConfigType } from '@nestjs/config';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordStatements } from './support/statements';
import { auth, createTestApp, type TestApp } from './support/test-app';

/*
 * Cursor pagination of GET /orders end to end: real AppModule, real Postgres and Redis, rows
 * written straight into the test's own database with `pg` so that created_at can carry ties and
 * values that differ only in the microseconds (which a JavaScript Date cannot represent).
 */

type Tenant = 'acme' | 'globex';
type Query = Record<string, string>;
type Filters = { status?: string; customer_id?: string };

interface OrderJson {
  id: string;
  customer_id: string;
  status: string;
  [key: string]: unknown;
}

interface PageBody {
  data: OrderJson[];
  has_more: boolean;
  next_cursor: string | null;
}

interface PageResult {
  url: string;
  ids: string[];
  body: PageBody;
  link: string | undefined;
}

interface Seed {
  id: string;
  tenant: string;
  customer: string;
  status: string;
  createdAt: string;
}

const ACME_ROWS = 137;

/** `2026-01-01 00:00:00.0000NN+00`: timestamps that differ only in the microseconds. */
const micro = (n: number) => `2026-01-01 00:00:00.${String(n).padStart(6, '0')}+00`;
const hashId = (prefix: string, i: number) =>
  `ord_${createHash('sha1')
    .update(`${prefix}${i}`)
    .digest('hex')
    .slice(0, 10 + (i % 11))}`;

/**
 * 137 acme orders: 60 timestamps one microsecond apart, three of them shared by extra rows (20, 15
 * and 10 rows in total), 25 rows tied on one millisecond timestamp and 10 rows whose timestamps
 * differ in the microseconds across a day boundary. Ids are hashes, so id order has nothing to do
 * with insertion order.
 */
function acmeFixture(): Seed[] {
  const rows: Seed[] = [];
  const add = (createdAt: string) => {
    const i = rows.length;
    rows.push({
      id: hashId('acme', i),
      tenant: 'acme',
      customer: ['cus_a', 'cus_b', 'cus_c'][i % 3],
      status: ['pending', 'pending', 'paid', 'shipped', 'cancelled'][i % 5],
      createdAt,
    });
  };
  const extraTies: Record<number, number> = { 3: 19, 17: 14, 42: 9 };
  for (let m = 1; m <= 60; m++) {
    add(micro(m));
    for (let k = 0; k < (extraTies[m] ?? 0); k++) add(micro(m));
  }
  for (let k = 0; k < 25; k++) add('2026-01-01 00:00:00.001+00');
  for (let k = 0; k < 10; k++) add(`2025-12-31 23:59:59.99999${k}+00`);
  return rows;
}

/** 40 globex orders on the same timestamps as acme (ties across tenants) and the same customer ids. */
function globexFixture(): Seed[] {
  return Array.from({ length: 40 }, (_, i) => ({
    id: hashId('globex', i),
    tenant: 'globex',
    customer: ['cus_a', 'cus_b'][i % 2],
    status: ['pending', 'paid', 'pending', 'shipped'][i % 4],
    createdAt: micro((i % 20) + 1),
  }));
}

/** Replaces the char at `i` with another base64url char that differs in its most significant bit. */
function flipChar(s: string, i: number): string {
  const replacement = s[i] === 'A' ? 'g' : 'A';
  return s.slice(0, i) + replacement + s.slice(i + 1);
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('cursor pagination of GET /orders', () => {
  let t: TestApp;
  let db: Client;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp({ TEST_LABEL: 'pagination' });
    db = new Client({ connectionString: t.db.url });
    await db.connect();
    await insertOrders([...acmeFixture(), ...globexFixture()]);
  });

  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  async function insertOrders(rows: Seed[]): Promise<void> {
    await db.query(
      `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version, created_at, updated_at)
       SELECT id, tenant_id, customer_id, amount, 'EUR', status, 1, created_at, created_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[])
         AS r(id, tenant_id, customer_id, amount, status, created_at)`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.tenant),
        rows.map((r) => r.customer),
        rows.map((_, i) => 100 + i),
        rows.map((r) => r.status),
        rows.map((r) => r.createdAt),
      ],
    );
  }

  /** The order the API must follow, computed by Postgres itself. */
  async function expectedIds(tenant: string, filters: Filters = {}): Promise<string[]> {
    const params: string[] = [tenant];
    const where = ['tenant_id = $1'];
    if (filters.status) {
      params.push(filters.status);
      where.push(`status = $${params.length}`);
    }
    if (filters.customer_id) {
      params.push(filters.customer_id);
      where.push(`customer_id = $${params.length}`);
    }
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM orders WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC`,
      params,
    );
    return rows.map((r) => r.id);
  }

  /** Sorts ids by the API's key, as Postgres sees it. */
  async function sqlOrderOf(ids: string[]): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM orders WHERE id = ANY($1::text[]) ORDER BY created_at DESC, id DESC',
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Walks a list to its end, following `next_cursor` (or the Link header), and checks the envelope
   * and the Link header of every page on the way.
   */
  async function walk(
    tenant: Tenant,
    query: Query,
    opts: {
      limit?: number;
      follow?: 'cursor' | 'link';
      between?: (page: PageResult, seen: string[]) => Promise<void>;
    } = {},
  ): Promise<PageResult[]> {
    const pageSize = opts.limit ?? 20;
    const base = new URLSearchParams(query);
    if (opts.limit !== undefined) base.set('limit', String(opts.limit));
    let url = base.size ? `/orders?${base.toString()}` : '/orders';
    const pages: PageResult[] = [];
    const seen: string[] = [];
    for (;;) {
      if (pages.length > 1000) throw new Error(`pagination of ${url} does not end`);
      const res = await t.http.get(url).set(auth(tenant));
      expect(res.status, `GET ${url}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.body as PageBody;
      expect(Object.keys(body).sort()).toEqual(['data', 'has_more', 'next_cursor']);
      const ids = body.data.map((o) => o.id);
      const link = res.headers.link as string | undefined;
      const page: PageResult = { url, ids, body, link };
      pages.push(page);
      seen.push(...ids);
      expect(ids.length).toBeLessThanOrEqual(pageSize);
      if (!body.has_more) {
        expect(body.next_cursor).toBeNull();
        expect(link).toBeUndefined();
        return pages;
      }
      expect(ids).toHaveLength(pageSize);
      expect(body.next_cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const match = /^<([^>]+)>; rel="next"$/.exec(link ?? '');
      expect(match, `Link header of ${url}: ${link}`).not.toBeNull();
      const linkUrl = match?.[1] ?? '';
      expect(linkUrl.startsWith('/orders?')).toBe(true);
      const parsed = new URL(linkUrl, 'http://placeholder');
      expect(parsed.pathname).toBe('/orders');
      const nextParams = new URLSearchParams(base);
      nextParams.set('cursor', body.next_cursor as string);
      // Same filters and limit, the new cursor, nothing else and nothing twice.
      expect([...parsed.searchParams.entries()].sort()).toEqual([...nextParams.entries()].sort());
      if (opts.between) await opts.between(page, seen);
      url = opts.follow === 'link' ? linkUrl : `/orders?${nextParams.toString()}`;
    }
  }

  const idsOf = (pages: PageResult[]) => pages.flatMap((p) => p.ids);

  function expectNoDuplicates(ids: string[]): void {
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
  }

  async function getProblem(url: string, tenant: Tenant = 'acme') {
    const res = await t.http.get(url).set(auth(tenant));
    expect(res.status, `GET ${url}: ${JSON.stringify(res.body)}`).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers.link).toBeUndefined();
    return res.body as { code: string; status: number; errors?: { field: string }[] };
  }

  async function expectInvalidCursor(url: string, tenant: Tenant = 'acme'): Promise<void> {
    const problem = await getProblem(url, tenant);
    expect(problem, url).toMatchObject({ code: 'invalid_cursor', status: 400 });
  }

  const withCursor = (cursor: string, query: Query = {}) =>
    `/orders?${new URLSearchParams({ ...query, cursor }).toString()}`;

  async function firstCursor(tenant: Tenant, query: Query = {}, limit = 5): Promise<string> {
    const res = await t.http
      .get(`/orders?${new URLSearchParams({ ...query, limit: String(limit) }).toString()}`)
      .set(auth(tenant))
      .expect(200);
    const body = res.body as PageBody;
    expect(body.has_more).toBe(true);
    expect(typeof body.next_cursor).toBe('string');
    return body.next_cursor as string;
  }

  // 1. ----------------------------------------------------------------------------------------------
  describe('paging through every row', () => {
    it('starts from exactly 137 acme rows with ties and microsecond-only differences', async () => {
      const { rows } = await db.query<{ n: number; distinct_ts: number; distinct_ms: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT created_at)::int AS distinct_ts,
                count(DISTINCT date_trunc('milliseconds', created_at))::int AS distinct_ms
         FROM orders WHERE tenant_id = 'acme'`,
      );
      expect(rows[0].n).toBe(ACME_ROWS);
      // Far fewer distinct timestamps than rows (ties), and far fewer distinct milliseconds than
      // distinct timestamps (values a JavaScript Date cannot tell apart).
      expect(rows[0].distinct_ts).toBe(71);
      expect(rows[0].distinct_ms).toBe(3);
    });

    it.each([1, 7, 13, 100])(
      'returns every acme row exactly once, in key order, with limit=%i',
      async (limit) => {
        const expected = await expectedIds('acme');
        expect(expected).toHaveLength(ACME_ROWS);
        const pages = await walk('acme', {}, { limit });
        const ids = idsOf(pages);
        expectNoDuplicates(ids);
        expect(ids).toEqual(expected);
        expect(pages).toHaveLength(Math.ceil(ACME_ROWS / limit));
        for (const page of pages) expect(page.ids.length).toBeGreaterThan(0);
        const last = pages[pages.length - 1];
        expect(last.ids).toHaveLength(ACME_ROWS % limit || limit);
        expect(last.body).toMatchObject({ has_more: false, next_cursor: null });
        expect(last.link).toBeUndefined();
      },
    );

    it.each([1, 7, 13, 100])(
      'walks the same rows by following the Link header with limit=%i',
      async (limit) => {
        const pages = await walk('acme', {}, { limit, follow: 'link' });
        expect(idsOf(pages)).toEqual(await expectedIds('acme'));
      },
    );

    it.each<[Filters, number]>([
      [{ status: 'pending' }, 7],
      [{ customer_id: 'cus_b' }, 13],
      [{ status: 'paid', customer_id: 'cus_a' }, 1],
      [{ customer_id: 'cus_c', status: 'pending' }, 100],
    ])('keeps the filters %j in the Link header (limit=%i)', async (filters, limit) => {
      const expected = await expectedIds('acme', filters);
      expect(expected.length).toBeGreaterThan(limit === 100 ? 0 : limit);
      const viaLink = await walk('acme', filters, { limit, follow: 'link' });
      const viaCursor = await walk('acme', filters, { limit });
      expect(idsOf(viaLink)).toEqual(expected);
      expect(idsOf(viaCursor)).toEqual(expected);
      for (const page of viaLink) {
        for (const order of page.body.data) {
          if (filters.status) expect(order.status).toBe(filters.status);
          if (filters.customer_id) expect(order.customer_id).toBe(filters.customer_id);
        }
      }
    });

    it('pages with the default limit of 20 and a Link header without a limit', async () => {
      const pages = await walk('acme', {});
      expect(pages.map((p) => p.ids.length)).toEqual([20, 20, 20, 20, 20, 20, 17]);
      expect(pages[0].link).toMatch(/^<\/orders\?cursor=[A-Za-z0-9_.-]+>; rel="next"$/);
      expect(idsOf(pages)).toEqual(await expectedIds('acme'));
    });

    it('serialises the same rows as GET /orders/:id', async () => {
      const res = await t.http.get('/orders?limit=3').set(auth()).expect(200);
      for (const order of (res.body as PageBody).data) {
        const one = await t.http.get(`/orders/${order.id}`).set(auth()).expect(200);
        expect(order).toEqual(one.body);
      }
    });
  });

  // 3. ----------------------------------------------------------------------------------------------
  describe('ties on created_at', () => {
    it('orders rows that share created_at by id desc, across page boundaries', async () => {
      const ids = idsOf(await walk('acme', {}, { limit: 7 }));
      const { rows } = await db.query<{ id: string; ts: string }>(
        `SELECT id, created_at::text AS ts FROM orders WHERE tenant_id = 'acme'`,
      );
      const tsOf = new Map(rows.map((r) => [r.id, r.ts]));
      const groups = new Map<string, number[]>();
      ids.forEach((id, pos) => {
        const ts = tsOf.get(id) as string;
        groups.set(ts, [...(groups.get(ts) ?? []), pos]);
      });
      const ties = [...groups].filter(([, positions]) => positions.length > 1);
      expect(ties.map(([, p]) => p.length).sort((a, b) => a - b)).toEqual([10, 15, 20, 25]);
      for (const [, positions] of ties) {
        // Contiguous in the listing ...
        expect(positions[positions.length - 1] - positions[0]).toBe(positions.length - 1);
        // ... and by id descending (ids are ASCII; the database collation is byte order).
        const group = positions.map((p) => ids[p]);
        expect(group).toEqual([...group].sort().reverse());
      }
    });

    it('pages through five rows with one identical timestamp two at a time', async () => {
      const ts = '2030-01-01 12:00:00.123456+00';
      const tieIds = ['ord_tie_b', 'ord_tie_e', 'ord_tie_a', 'ord_tie_d', 'ord_tie_c'];
      await insertOrders(
        tieIds.map((id) => ({
          id,
          tenant: 'globex',
          customer: 'cus_tie',
          status: 'pending',
          createdAt: ts,
        })),
      );
      const pages = await walk('globex', { customer_id: 'cus_tie' }, { limit: 2 });
      expect(pages.map((p) => p.ids)).toEqual([
        ['ord_tie_e', 'ord_tie_d'],
        ['ord_tie_c', 'ord_tie_b'],
        ['ord_tie_a'],
      ]);
    });

    it('keeps microsecond order when id order disagrees with it', async () => {
      // Rows one microsecond apart, all within one millisecond, whose id order disagrees with their
      // time order: a cursor that lost the microseconds would skip or repeat rows.
      await insertOrders(
        [
          { id: 'ord_micro_a', createdAt: '2031-01-01 00:00:00.000003+00' },
          { id: 'ord_micro_c', createdAt: '2031-01-01 00:00:00.000002+00' },
          { id: 'ord_micro_b', createdAt: '2031-01-01 00:00:00.000001+00' },
          { id: 'ord_micro_d', createdAt: '2031-01-01 00:00:00.000001+00' },
        ].map((r) => ({ ...r, tenant: 'acme', customer: 'cus_micro', status: 'pending' })),
      );
      const pages = await walk('acme', { customer_id: 'cus_micro' }, { limit: 1 });
      expect(pages.map((p) => p.ids)).toEqual([
        ['ord_micro_a'],
        ['ord_micro_c'],
        ['ord_micro_d'],
        ['ord_micro_b'],
      ]);
    });
  });

  // 4. ----------------------------------------------------------------------------------------------
  describe('limit bounds', () => {
    it.each(['0', '101', '-1', 'abc', '1.5', '', '10&limit=20'])(
      'rejects limit=%s with 400 validation_failed',
      async (limit) => {
        const problem = await getProblem(`/orders?limit=${limit}`);
        expect(problem).toMatchObject({ code: 'validation_failed', status: 400 });
        expect(problem.errors?.map((e) => e.field)).toContain('limit');
      },
    );

    it('rejects an out-of-range limit together with a valid cursor', async () => {
      const cursor = await firstCursor('acme');
      const problem = await getProblem(`${withCursor(cursor)}&limit=101`);
      expect(problem).toMatchObject({ code: 'validation_failed', status: 400 });
    });

    it('accepts limit=1 and limit=100', async () => {
      const total = (await expectedIds('acme')).length;
      expect(total).toBeGreaterThan(100);
      const one = await t.http.get('/orders?limit=1').set(auth()).expect(200);
      expect(one.body.data).toHaveLength(1);
      expect(one.body.has_more).toBe(true);
      const hundred = await t.http.get('/orders?limit=100').set(auth()).expect(200);
      expect(hundred.body.data).toHaveLength(100);
      expect(hundred.body.has_more).toBe(true);
      expect(hundred.headers.link).toMatch(/^<\/orders\?limit=100&cursor=[^>]+>; rel="next"$/);
    });

    it('defaults to 20', async () => {
      const res = await t.http.get('/orders').set(auth()).expect(200);
      expect(res.body.data).toHaveLength(20);
      expect(res.body.data.map((o: OrderJson) => o.id)).toEqual(
        (await expectedIds('acme')).slice(0, 20),
      );
    });
  });

  // 5. ----------------------------------------------------------------------------------------------
  describe('invalid cursors answer 400 invalid_cursor', () => {
    let cursor: string;
    let body: string;
    let sig: string;

    beforeAll(async () => {
      cursor = await firstCursor('acme');
      [body, sig] = cursor.split('.');
      expect(sig).toHaveLength(43);
    });

    it('accepts the untouched cursor (control)', async () => {
      const res = await t.http.get(withCursor(cursor)).set(auth()).expect(200);
      expect(res.body.data.map((o: OrderJson) => o.id)).toEqual(
        (await expectedIds('acme')).slice(5, 25),
      );
    });

    it('a flipped character in the body part', async () => {
      for (const i of [0, 1, 7, Math.floor(body.length / 2), body.length - 2, body.length - 1]) {
        const tampered = `${flipChar(body, i)}.${sig}`;
        expect(tampered).not.toBe(cursor);
        await expectInvalidCursor(withCursor(tampered));
      }
    });

    it('a flipped character in the signature', async () => {
      for (const i of [0, 1, 10, 21, 41, 42]) {
        const tampered = `${body}.${flipChar(sig, i)}`;
        expect(tampered).not.toBe(cursor);
        await expectInvalidCursor(withCursor(tampered));
      }
    });

    it('a signature spelled differently that decodes to the same bytes', async () => {
      // The last of 43 base64url chars carries 2 padding bits; '=' and stray chars are skipped by
      // Node's lenient decoder. The issued cursor is the only acceptable spelling.
      const lastBitFlipped = `${sig.slice(0, -1)}${B64URL[B64URL.indexOf(sig[42]) ^ 1]}`;
      for (const variant of [lastBitFlipped, `${sig}=`, `${sig.slice(0, 20)}!${sig.slice(20)}`]) {
        expect(variant).not.toBe(sig);
        await expectInvalidCursor(withCursor(`${body}.${variant}`));
      }
    });

    it('a truncated cursor', async () => {
      const cuts = [1, 10, body.length - 1, body.length, body.length + 1, cursor.length - 1];
      for (const cut of cuts) await expectInvalidCursor(withCursor(cursor.slice(0, cut)));
    });

    it('random garbage', async () => {
      const garbage = [
        'garbage',
        'a.b',
        '.',
        '..',
        '🙂.🙂',
        '{"v":1}',
        randomBytes(48).toString('base64url'),
        `${randomBytes(60).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
        `${cursor}.${sig}`,
        `${cursor}${cursor}`,
        'x'.repeat(3000),
      ];
      for (const g of garbage) await expectInvalidCursor(withCursor(g));
    });

    it('an empty cursor', async () => {
      await expectInvalidCursor('/orders?cursor=');
      await expectInvalidCursor('/orders?cursor');
      await expectInvalidCursor('/orders?status=pending&cursor=&limit=5');
    });

    it('two cursors', async () => {
      await expectInvalidCursor('/orders?cursor=a&cursor=b');
      const c = encodeURIComponent(cursor);
      await expectInvalidCursor(`/orders?cursor=${c}&cursor=${c}`);
    });

    it('a cursor used with another status filter than it was issued with', async () => {
      const pending = await firstCursor('acme', { status: 'pending' }, 3);
      // Control: same filter, another limit (limit is not part of the binding).
      await t.http
        .get(withCursor(pending, { status: 'pending', limit: '50' }))
        .set(auth())
        .expect(200);
      await expectInvalidCursor(withCursor(pending, { status: 'paid' }));
      await expectInvalidCursor(withCursor(pending));
      await expectInvalidCursor(withCursor(pending, { status: 'pending', customer_id: 'cus_a' }));
      // And an unfiltered cursor with a filter added.
      await expectInvalidCursor(withCursor(cursor, { status: 'pending' }));
    });

    it('a cursor used with another customer_id filter than it was issued with', async () => {
      const cusA = await firstCursor('acme', { customer_id: 'cus_a' }, 3);
      await t.http
        .get(withCursor(cusA, { customer_id: 'cus_a' }))
        .set(auth())
        .expect(200);
      await expectInvalidCursor(withCursor(cusA, { customer_id: 'cus_b' }));
      await expectInvalidCursor(withCursor(cusA));
      await expectInvalidCursor(withCursor(cusA, { customer_id: 'cus_a', status: 'pending' }));
      await expectInvalidCursor(withCursor(cursor, { customer_id: 'cus_a' }));
    });

    it('a cursor of one tenant used by another', async () => {
      // Both tenants have more than one page, so each has cursors of its own.
      const globexCursor = await firstCursor('globex');
      await t.http.get(withCursor(globexCursor)).set(auth('globex')).expect(200);
      await expectInvalidCursor(withCursor(cursor), 'globex');
      await expectInvalidCursor(withCursor(globexCursor), 'acme');
      const acmeFiltered = await firstCursor('acme', { customer_id: 'cus_a' }, 2);
      await expectInvalidCursor(withCursor(acmeFiltered, { customer_id: 'cus_a' }), 'globex');
    });

    it('a cursor forged by re-encoding a modified payload', async () => {
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
        k: string[];
      };
      expect(Array.isArray(payload.k)).toBe(true);
      const forgedBodies = [
        { ...payload, k: ['2099-01-01 00:00:00+00', payload.k[1]] },
        { ...payload, k: [payload.k[0], 'ord_'] },
        { ...payload, k: ["2026-01-01 00:00:00+00') OR true --", payload.k[1]] },
        { ...payload, b: 'AAAAAAAAAAAAAAAAAAAAAA' },
        { ...payload, v: 2 },
        payload,
      ].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url'));
      // The last one is the same JSON re-serialised: only a different spelling if the codec's
      // encoding differs, so it may equal the original body; skip it if so.
      for (const forged of forgedBodies) {
        if (forged === body) continue;
        await expectInvalidCursor(withCursor(`${forged}.${sig}`));
        for (const secret of ['', 'secret', 'test-secret', 'changeme']) {
          const guessed = createHmac('sha256', secret).update(forged).digest('base64url');
          await expectInvalidCursor(withCursor(`${forged}.${guessed}`));
        }
        await expectInvalidCursor(withCursor(forged));
        await expectInvalidCursor(withCursor(`${forged}.`));
      }
      // The signature of another valid cursor does not sign this body.
      const otherSig = (await firstCursor('acme', {}, 9)).split('.')[1];
      await expectInvalidCursor(withCursor(`${body}.${otherSig}`));
    });
  });

  // 6. ----------------------------------------------------------------------------------------------
  describe('tenant isolation', () => {
    it('globex never sees acme rows in any page, and the other way round', async () => {
      const acme = new Set(await expectedIds('acme'));
      const globex = new Set(await expectedIds('globex'));
      expect(acme.size).toBeGreaterThan(100);
      expect(globex.size).toBeGreaterThan(20);
      for (const limit of [1, 7, 100]) {
        const globexIds = idsOf(await walk('globex', {}, { limit }));
        expect(globexIds).toEqual(await expectedIds('globex'));
        expect(globexIds.filter((id) => acme.has(id))).toEqual([]);
      }
      const acmeIds = idsOf(await walk('acme', {}, { limit: 13 }));
      expect(acmeIds.filter((id) => globex.has(id))).toEqual([]);
    });

    it.each<Filters>([
      { status: 'pending' },
      { customer_id: 'cus_a' },
      { customer_id: 'cus_b', status: 'paid' },
    ])('keeps tenants apart with the shared filter %j', async (filters) => {
      const acme = new Set(await expectedIds('acme', filters));
      expect(acme.size).toBeGreaterThan(0);
      const globexExpected = await expectedIds('globex', filters);
      expect(globexExpected.length).toBeGreaterThan(0);
      const ids = idsOf(await walk('globex', filters, { limit: 3 }));
      expect(ids).toEqual(globexExpected);
      expect(ids.filter((id) => acme.has(id))).toEqual([]);
    });
  });

  // 2. ----------------------------------------------------------------------------------------------
  describe('stability while the data changes between page fetches', () => {
    const headTs = () => `2050-01-01 00:00:00.${String(++seq).padStart(6, '0')}+00`;

    /** Copies the created_at of `of` into a new row: same timestamp, chosen id. */
    async function insertTieOf(of: string, id: string, status = 'pending'): Promise<void> {
      await db.query(
        `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version, created_at, updated_at)
         SELECT $2, tenant_id, 'cus_stab', 1, 'EUR', $3, 1, created_at, created_at FROM orders WHERE id = $1`,
        [of, id, status],
      );
    }

    it('status=pending: rows pending throughout appear exactly once while rows come and go', async () => {
      const before = await expectedIds('acme', { status: 'pending' });
      expect(before.length).toBeGreaterThan(40);
      const moved = new Set<string>();
      const head: string[] = [];
      const behindCursor: string[] = [];
      const afterCursor: string[] = [];
      let round = 0;

      const pages = await walk(
        'acme',
        { status: 'pending' },
        {
          limit: 10,
          between: async (page, seen) => {
            round++;
            const seenSet = new Set(seen);
            const lastId = page.ids[page.ids.length - 1];
            // New orders at the head (newer than anything listed so far).
            for (let k = 0; k < 2; k++) {
              const id = `ord_head_p${++seq}`;
              head.push(id);
              await insertOrders([
                {
                  id,
                  tenant: 'acme',
                  customer: 'cus_stab',
                  status: 'pending',
                  createdAt: headTs(),
                },
              ]);
            }
            // Same created_at as the cursor row: a bigger id sorts before it (already passed),
            // a smaller id after it (still ahead).
            const ahead = `${lastId.slice(0, -1)}!${++seq}`;
            const behind = `${lastId}~${++seq}`;
            await insertTieOf(lastId, ahead);
            await insertTieOf(lastId, behind);
            afterCursor.push(ahead);
            behindCursor.push(behind);
            // Move rows that were not listed yet out of the filter: the very next one and some further.
            const unseen = before.filter((id) => !seenSet.has(id) && !moved.has(id));
            for (const idx of [0, 6, 15]) {
              if (unseen[idx]) {
                moved.add(unseen[idx]);
                await db.query(`UPDATE orders SET status = 'paid' WHERE id = $1`, [unseen[idx]]);
              }
            }
            // Every other round the cursor row itself leaves the filter.
            if (round % 2 === 0) {
              await db.query(`UPDATE orders SET status = 'paid' WHERE id = $1`, [lastId]);
            }
          },
        },
      );

      const ids = idsOf(pages);
      expectNoDuplicates(ids);
      const stayed = before.filter((id) => !moved.has(id));
      expect(stayed.length).toBeGreaterThan(10);
      const stayedSet = new Set(stayed);
      // Every row pending throughout appears exactly once, in key order.
      expect(ids.filter((id) => stayedSet.has(id))).toEqual(stayed);
      // Rows moved out before they were reached never appear.
      expect(ids.filter((id) => moved.has(id))).toEqual([]);
      // Rows inserted at the head or just behind the cursor are never listed; rows inserted just
      // ahead of the cursor are listed once.
      expect(ids.filter((id) => head.includes(id) || behindCursor.includes(id))).toEqual([]);
      expect(afterCursor.filter((id) => !ids.includes(id))).toEqual([]);
      expect(ids).toEqual(await sqlOrderOf(ids));
      expect(round).toBeGreaterThan(3);
    });

    it('no filter: rows existing throughout appear exactly once while rows are inserted and deleted', async () => {
      const before = await expectedIds('acme');
      const deleted = new Set<string>();
      const head: string[] = [];
      const behindCursor: string[] = [];
      const afterCursor: string[] = [];
      let round = 0;

      const pages = await walk(
        'acme',
        {},
        {
          limit: 13,
          between: async (page, seen) => {
            round++;
            const seenSet = new Set(seen);
            const lastId = page.ids[page.ids.length - 1];
            for (let k = 0; k < 3; k++) {
              const id = `ord_head_n${++seq}`;
              head.push(id);
              await insertOrders([
                { id, tenant: 'acme', customer: 'cus_stab', status: 'paid', createdAt: headTs() },
              ]);
            }
            const ahead = `${lastId.slice(0, -1)}!${++seq}`;
            const behind = `${lastId}~${++seq}`;
            await insertTieOf(lastId, ahead, 'shipped');
            await insertTieOf(lastId, behind, 'shipped');
            afterCursor.push(ahead);
            behindCursor.push(behind);
            const unseen = before.filter((id) => !seenSet.has(id) && !deleted.has(id));
            for (const idx of [1, 9]) {
              if (unseen[idx]) {
                deleted.add(unseen[idx]);
                await db.query('DELETE FROM orders WHERE id = $1', [unseen[idx]]);
              }
            }
            // Every third round the cursor row itself is deleted.
            if (round % 3 === 0) await db.query('DELETE FROM orders WHERE id = $1', [lastId]);
          },
        },
      );

      const ids = idsOf(pages);
      expectNoDuplicates(ids);
      const throughout = before.filter((id) => !deleted.has(id));
      const throughoutSet = new Set(throughout);
      expect(ids.filter((id) => throughoutSet.has(id))).toEqual(throughout);
      expect(ids.filter((id) => deleted.has(id))).toEqual([]);
      expect(ids.filter((id) => head.includes(id) || behindCursor.includes(id))).toEqual([]);
      expect(afterCursor.filter((id) => !ids.includes(id))).toEqual([]);
      // Nothing else shows up: every listed id is one of the above.
      const known = new Set([...throughout, ...afterCursor]);
      expect(ids.filter((id) => !known.has(id))).toEqual([]);
      expect(round).toBeGreaterThan(5);
    });
  });

  // 7. ----------------------------------------------------------------------------------------------
  /*
   * Query plans of the keyset query with 60,000 rows for one tenant (plus the other tenants' rows),
   * after ANALYZE. For page 1 and for a page deep in the list (90% of the way), without a filter,
   * with status and with customer_id, the plan must:
   *   - read `orders` through an Index Scan / Index Only Scan on one of the orders_* indexes
   *     (the one that matches the filter: tenant[, status | customer], created_at, id),
   *   - contain no Sort / Incremental Sort node (the index delivers `created_at DESC, id DESC`),
   *   - contain no Seq Scan node,
   *   - keep every predicate, the keyset row comparison included, in the Index Cond (no Filter):
   *     the scan starts at the cursor instead of reading and discarding the rows before it, so a
   *     deep page reads no more rows (at most LIMIT 21) than page 1 — the "cost does not grow with
   *     depth" promise of the contract.
   * Checked on the very statements `GET /orders` sent (recorded as the app sent them, values
   * included), so a change to the repository's SQL changes what is explained. The service sends
   * them as named prepared statements, which Postgres may run with a custom plan (values known) or,
   * after a few executions, a generic one: both plans are checked.
   */
  describe('EXPLAIN of the keyset query', () => {
    const TENANT = 'initech';
    const ROWS = 60_000;

    interface PlanNode {
      'Node Type': string;
      'Relation Name'?: string;
      'Index Name'?: string;
      'Index Cond'?: string;
      Filter?: string;
      'Actual Rows'?: number;
      'Rows Removed by Filter'?: number;
      'Scan Direction'?: string;
      Plans?: PlanNode[];
    }

    const flatten = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(flatten)];

    type Filter = { column: 'status' | 'customer_id'; value: string } | null;
    const CASES: [string, Filter, string][] = [
      ['no filter', null, 'orders_tenant_created_idx'],
      ['status filter', { column: 'status', value: 'pending' }, 'orders_tenant_status_created_idx'],
      [
        'customer_id filter',
        { column: 'customer_id', value: 'cus_7' },
        'orders_tenant_customer_created_idx',
      ],
    ];
    const summaries: string[] = [];
    const PLANS = [
      ['force_custom_plan', 'plan'],
      ['force_custom_plan', 'analyzed plan'],
      ['force_generic_plan', 'plan'],
      ['force_generic_plan', 'analyzed plan'],
    ] as const;

    beforeAll(async () => {
      await db.query(
        `INSERT INTO orders (id, tenant_id, customer_id, amount, currency, status, version, created_at, updated_at)
         SELECT 'ord_' || md5(g::text), $1, 'cus_' || (g % 50), g, 'EUR',
                (ARRAY['pending', 'paid', 'cancelled', 'shipped', 'delivered'])[1 + g % 5], 1,
                timestamptz '2024-01-01 00:00:00+00' + (g / 3) * interval '997 microseconds',
                timestamptz '2024-01-01 00:00:00+00'
         FROM generate_series(1, $2::int) AS g`,
        [TENANT, ROWS],
      );
      await db.query('ANALYZE orders');
    }, 120_000);

    afterAll(() => {
      if (process.env.PAGINATION_PRINT_PLANS) console.info(summaries.join('\n'));
    });

    /** The (created_at, id) of the row 90% of the way down the list: the cursor of a deep page. */
    async function deepKey(filter: Filter): Promise<[string, string]> {
      const where = filter ? `AND ${filter.column} = $2` : '';
      const { rows } = await db.query<{ ts: string; id: string }>(
        `SELECT created_at::text AS ts, id FROM orders WHERE tenant_id = $1 ${where}
         ORDER BY created_at DESC, id DESC
         OFFSET (SELECT (count(*) * 9 / 10)::int FROM orders WHERE tenant_id = $1 ${where}) LIMIT 1`,
        filter ? [TENANT, filter.value] : [TENANT],
      );
      expect(rows).toHaveLength(1);
      return [rows[0].ts, rows[0].id];
    }

    async function explain(
      label: string,
      statement: Statement,
      expectedIndex: string,
      deep: boolean,
    ): Promise<void> {
      const args = (statement.values ?? []).map((v) => sqlLiteral(v)).join(', ');
      for (const [mode, kind] of PLANS) {
        const options = kind === 'plan' ? 'FORMAT JSON' : 'ANALYZE, FORMAT JSON';
        // As the service's prepared statement runs: PREPAREd, then EXECUTEd with its values.
        await db.query(`SET plan_cache_mode = ${mode}`);
        await db.query(`PREPARE explained AS ${statement.text}`);
        const result = await db
          .query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
            `EXPLAIN (${options}) EXECUTE explained(${args})`,
          )
          .finally(() => db.query('DEALLOCATE explained; RESET plan_cache_mode'));
        const root = result.rows[0]['QUERY PLAN'][0].Plan;
        const nodes = flatten(root);
        const types = nodes.map((n) => n['Node Type']);
        const scans = nodes.filter((n) => n['Relation Name'] === 'orders');
        const shown = nodes
          .map(
            (n) =>
              `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}` +
              `${n['Scan Direction'] ? ` (${n['Scan Direction']})` : ''}` +
              `${n['Index Cond'] ? ` cond ${n['Index Cond']}` : ''}` +
              `${n.Filter ? ` FILTER ${n.Filter}` : ''}` +
              `${n['Actual Rows'] !== undefined ? ` rows=${n['Actual Rows']}` : ''}`,
          )
          .join(' -> ');
        if (kind === 'analyzed plan') summaries.push(`${label}, ${mode}: ${shown}`);
        const why = `${label} ${mode} ${kind}: ${shown}`;
        expect(types, why).not.toContain('Sort');
        expect(types, why).not.toContain('Incremental Sort');
        expect(types, why).not.toContain('Seq Scan');
        expect(scans, why).toHaveLength(1);
        const [scan] = scans;
        expect(['Index Scan', 'Index Only Scan'], why).toContain(scan['Node Type']);
        expect(scan['Index Name'], why).toMatch(/^orders_/);
        expect(scan['Index Name'], why).toBe(expectedIndex);
        // Every predicate is an index condition: nothing read only to be thrown away.
        expect(scan.Filter, why).toBeUndefined();
        expect(scan['Index Cond'], why).toMatch(/tenant_id = /);
        if (deep) expect(scan['Index Cond'], why).toMatch(/ROW\(.*created_at, .*id\) < ROW\(/);
        if (kind === 'analyzed plan') {
          expect(scan['Actual Rows'], why).toBeLessThanOrEqual(21);
          expect(scan['Rows Removed by Filter'] ?? 0, why).toBe(0);
          expect(root['Actual Rows'], why).toBe(21);
        }
      }
    }

    /** `GET /orders` as the tenant, and the one statement over `orders` it sent. */
    async function served(query: Query): Promise<{ body: PageBody; statement: Statement }> {
      const url = `/orders?${new URLSearchParams(query).toString()}`;
      let body: PageBody | undefined;
      const sent = await recordStatements(t.app, async () => {
        const res = await t.http.get(url).set(auth(TENANT));
        expect(res.status, `GET ${url}: ${res.text}`).toBe(200);
        body = res.body as PageBody;
      });
      const reads = sent.filter((st) => /\bFROM\s+orders\b/i.test(st.text));
      expect(reads, `statements over orders sent by GET ${url}`).toHaveLength(1);
      expect(reads[0].values, reads[0].text).toContain(TENANT);
      return { body: body!, statement: reads[0] };
    }

    /** A cursor of the list `page1` came from, signed as the service signs, that resumes after `key`. */
    function cursorAfter(page1: PageBody, key: [string, string]): string {
      const [body] = String(page1.next_cursor).split('.');
      const issued = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { b: string };
      const { secret } = t.app.get<ConfigType<typeof paginationConfig>>(paginationConfig.KEY);
      return new CursorCodec(secret).encode(key, issued.b);
    }

    it.each(CASES)(
      'the statements GET /orders runs, %s: page 1 and a deep page',
      async (label, filter, index) => {
        const query: Query = { limit: '20', ...(filter ? { [filter.column]: filter.value } : {}) };
        const first = await served(query);
        expect(first.body.data).toHaveLength(20);
        await explain(`${label}, page 1`, first.statement, index, false);
        const after = await deepKey(filter);
        const deep = await served({ ...query, cursor: cursorAfter(first.body, after) });
        // The 20 rows that follow the deep key, as Postgres orders the list.
        const list = await expectedIds(TENANT, filter ? { [filter.column]: filter.value } : {});
        const at = list.indexOf(after[1]);
        expect(deep.body.data.map((o) => o.id)).toEqual(list.slice(at + 1, at + 21));
        await explain(`${label}, deep page`, deep.statement, index, true);
      },
    );
  });
});
