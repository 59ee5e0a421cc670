import type { KeyColumn, SortDirection } from './pagination.types';

export interface KeysetSql {
  /** e.g. `(o.created_at, o.id) < (CAST(:__k0 AS timestamptz), CAST(:__k1 AS text))` or null on page 1. */
  where: string | null;
  params: Record<string, string>;
  orderBy: [string, 'ASC' | 'DESC'][];
  /** Expressions selected to read each key column back as the database prints it. */
  selects: [string, string][];
}

const IDENT = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i;

/**
 * Builds the keyset predicate and order for a unique key. A row-value comparison keeps it one
 * index range scan: the cost of a page does not depend on its depth.
 */
export function buildKeyset(
  key: readonly KeyColumn[],
  direction: SortDirection,
  after: string[] | null,
): KeysetSql {
  if (!key.length) throw new Error('a keyset needs at least one column');
  for (const k of key) if (!IDENT.test(k.column)) throw new Error(`unsafe key column ${k.column}`);
  const op = direction === 'desc' ? '<' : '>';
  const order = direction === 'desc' ? 'DESC' : 'ASC';
  const params: Record<string, string> = {};
  let where: string | null = null;
  if (after) {
    if (after.length !== key.length)
      throw new Error('cursor key length does not match the sort key');
    const lhs = key.map((k) => k.column).join(', ');
    const rhs = key
      .map((k, i) => {
        params[`__k${i}`] = after[i];
        return `CAST(:__k${i} AS ${k.type})`;
      })
      .join(', ');
    where = key.length === 1 ? `${lhs} ${op} ${rhs}` : `(${lhs}) ${op} (${rhs})`;
  }
  return {
    where,
    params,
    orderBy: key.map((k) => [k.column, order]),
    selects: key.map((k, i) => [`(${k.column})::text`, `__key${i}`]),
  };
}

export interface PositionalKeysetSql {
  /** The predicate with `$n` placeholders, or null on page 1. */
  where: string | null;
  /** Values of those placeholders, in order. */
  params: string[];
  /** e.g. `o.created_at DESC, o.id DESC`. */
  orderBy: string;
  /** e.g. `(o.created_at)::text AS "__key0", (o.id)::text AS "__key1"`. */
  selects: string;
}

/**
 * `buildKeyset` for hand-written SQL with positional parameters (`pg`): placeholders are numbered
 * from `firstParam`. Rows carry `__key0…` for `PaginationService.pageFromRows`.
 */
export function buildPositionalKeyset(
  key: readonly KeyColumn[],
  direction: SortDirection,
  after: string[] | null,
  firstParam: number,
): PositionalKeysetSql {
  const ks = buildKeyset(key, direction, after);
  const params = key.map((_, i) => ks.params[`__k${i}`]).filter((v) => v !== undefined);
  return {
    where: ks.where?.replace(/:__k(\d+)/g, (_, i: string) => `$${firstParam + Number(i)}`) ?? null,
    params,
    orderBy: ks.orderBy.map(([column, order]) => `${column} ${order}`).join(', '),
    selects: ks.selects.map(([expr, alias]) => `${expr} AS "${alias}"`).join(', '),
  };
}
