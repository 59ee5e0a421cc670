import { describe, expect, it } from 'vitest';
import { buildKeyset, buildPositionalKeyset } from './keyset';
import type { KeyColumn } from './pagination.types';

const ONE: readonly KeyColumn[] = [{ column: 'o.id', type: 'bigint' }];
const TWO: readonly KeyColumn[] = [
  { column: 'o.created_at', type: 'timestamptz' },
  { column: 'o.id', type: 'uuid' },
];

describe('buildKeyset', () => {
  describe('first page (no cursor)', () => {
    it('has no predicate or params, descending, one column', () => {
      expect(buildKeyset(ONE, 'desc', null)).toEqual({
        where: null,
        params: {},
        orderBy: [['o.id', 'DESC']],
        selects: [['(o.id)::text', '__key0']],
      });
    });

    it('has no predicate or params, ascending, two columns', () => {
      expect(buildKeyset(TWO, 'asc', null)).toEqual({
        where: null,
        params: {},
        orderBy: [
          ['o.created_at', 'ASC'],
          ['o.id', 'ASC'],
        ],
        selects: [
          ['(o.created_at)::text', '__key0'],
          ['(o.id)::text', '__key1'],
        ],
      });
    });
  });

  describe('with a cursor', () => {
    it('one column, descending: a plain comparison with <', () => {
      const sql = buildKeyset(ONE, 'desc', ['42']);
      expect(sql.where).toBe('o.id < CAST(:__k0 AS bigint)');
      expect(sql.params).toEqual({ __k0: '42' });
      expect(sql.orderBy).toEqual([['o.id', 'DESC']]);
      expect(sql.selects).toEqual([['(o.id)::text', '__key0']]);
    });

    it('one column, ascending: a plain comparison with >', () => {
      const sql = buildKeyset([{ column: 'name', type: 'text' }], 'asc', ['bob']);
      expect(sql.where).toBe('name > CAST(:__k0 AS text)');
      expect(sql.params).toEqual({ __k0: 'bob' });
      expect(sql.orderBy).toEqual([['name', 'ASC']]);
      expect(sql.selects).toEqual([['(name)::text', '__key0']]);
    });

    it('two columns, descending: a row-value comparison with <', () => {
      const after = ['2026-01-13 15:15:00.123456+00', '0b7c1e9a-1234-4cde-8f00-000000000001'];
      const sql = buildKeyset(TWO, 'desc', after);
      expect(sql.where).toBe(
        '(o.created_at, o.id) < (CAST(:__k0 AS timestamptz), CAST(:__k1 AS uuid))',
      );
      expect(sql.params).toEqual({ __k0: after[0], __k1: after[1] });
      expect(sql.orderBy).toEqual([
        ['o.created_at', 'DESC'],
        ['o.id', 'DESC'],
      ]);
      expect(sql.selects).toEqual([
        ['(o.created_at)::text', '__key0'],
        ['(o.id)::text', '__key1'],
      ]);
    });

    it('two columns, ascending: a row-value comparison with >', () => {
      const sql = buildKeyset(
        [
          { column: 'i.seq', type: 'integer' },
          { column: 'i.id', type: 'text' },
        ],
        'asc',
        ['7', 'abc'],
      );
      expect(sql.where).toBe('(i.seq, i.id) > (CAST(:__k0 AS integer), CAST(:__k1 AS text))');
      expect(sql.params).toEqual({ __k0: '7', __k1: 'abc' });
      expect(sql.orderBy).toEqual([
        ['i.seq', 'ASC'],
        ['i.id', 'ASC'],
      ]);
    });

    it('passes cursor values only as bound parameters, never inlined', () => {
      const evil = "'); drop table orders; --";
      const sql = buildKeyset(ONE, 'desc', [evil]);
      expect(sql.where).not.toContain(evil);
      expect(sql.where).toBe('o.id < CAST(:__k0 AS bigint)');
      expect(sql.params.__k0).toBe(evil);
    });

    it('keeps an empty-string key value as a parameter', () => {
      expect(buildKeyset(ONE, 'asc', ['']).params).toEqual({ __k0: '' });
    });

    it('returns fresh params for each call', () => {
      const a = buildKeyset(ONE, 'desc', ['1']);
      const b = buildKeyset(ONE, 'desc', ['2']);
      expect(a.params).toEqual({ __k0: '1' });
      expect(b.params).toEqual({ __k0: '2' });
    });
  });

  describe('column names', () => {
    it.each(['id', 'o.id', 'O.Created_At', '_x.y_1', 'orders.created_at'])(
      'accepts %j',
      (column) => {
        expect(() => buildKeyset([{ column, type: 'text' }], 'asc', null)).not.toThrow();
      },
    );

    it.each([
      'o.id; drop table x',
      'o."id"',
      '"id"',
      'o.id desc',
      'a.b.c',
      '1id',
      'o.',
      '.id',
      '',
      'o.id--',
      'lower(o.name)',
      'o.id,o.created_at',
      'o.id\n',
    ])('rejects unsafe column %j', (column) => {
      expect(() => buildKeyset([{ column, type: 'text' }], 'asc', null)).toThrow(
        /unsafe key column/,
      );
      expect(() => buildKeyset([{ column, type: 'text' }], 'desc', ['x'])).toThrow(
        /unsafe key column/,
      );
    });

    it('rejects an unsafe column even when it is not the first', () => {
      expect(() =>
        buildKeyset(
          [
            { column: 'o.created_at', type: 'timestamptz' },
            { column: 'o.id; drop table x', type: 'text' },
          ],
          'desc',
          null,
        ),
      ).toThrow('unsafe key column o.id; drop table x');
    });
  });

  describe('invalid input', () => {
    it('throws on an empty key', () => {
      expect(() => buildKeyset([], 'desc', null)).toThrow('a keyset needs at least one column');
      expect(() => buildKeyset([], 'asc', [])).toThrow('a keyset needs at least one column');
    });

    it('throws when the cursor has fewer values than the key', () => {
      expect(() => buildKeyset(TWO, 'desc', ['2026-01-01'])).toThrow(
        'cursor key length does not match the sort key',
      );
      expect(() => buildKeyset(ONE, 'desc', [])).toThrow(
        'cursor key length does not match the sort key',
      );
    });

    it('throws when the cursor has more values than the key', () => {
      expect(() => buildKeyset(ONE, 'asc', ['1', '2'])).toThrow(
        'cursor key length does not match the sort key',
      );
    });
  });
});

describe('buildPositionalKeyset', () => {
  const KEY: readonly KeyColumn[] = [
    { column: 'o.created_at', type: 'timestamptz' },
    { column: 'o.id', type: 'text' },
  ];

  it('numbers the placeholders from the given position', () => {
    expect(
      buildPositionalKeyset(KEY, 'desc', ['2026-01-01 00:00:00.123456+00', 'ord_1'], 4),
    ).toEqual({
      where: '(o.created_at, o.id) < (CAST($4 AS timestamptz), CAST($5 AS text))',
      params: ['2026-01-01 00:00:00.123456+00', 'ord_1'],
      orderBy: 'o.created_at DESC, o.id DESC',
      selects: '(o.created_at)::text AS "__key0", (o.id)::text AS "__key1"',
    });
  });

  it('has no predicate and no params on page 1', () => {
    const ks = buildPositionalKeyset(KEY, 'asc', null, 2);
    expect(ks.where).toBeNull();
    expect(ks.params).toEqual([]);
    expect(ks.orderBy).toBe('o.created_at ASC, o.id ASC');
  });
});
