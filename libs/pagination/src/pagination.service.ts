import { Injectable } from '@nestjs/common';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { buildKeyset } from './keyset';
import type { Page, PageRequest } from './pagination.types';

@Injectable()
export class PaginationService {
  /**
   * Applies the keyset predicate, order and `LIMIT limit + 1` to a scoped query and returns the page
   * with the last row's key as the database printed it (microseconds intact).
   */
  async paginate<T extends ObjectLiteral>(
    qb: SelectQueryBuilder<T>,
    page: PageRequest,
  ): Promise<Page<T>> {
    const ks = buildKeyset(page.key, page.direction, page.after);
    if (ks.where) qb.andWhere(ks.where, ks.params);
    ks.orderBy.forEach(([column, order], i) =>
      i ? qb.addOrderBy(column, order) : qb.orderBy(column, order),
    );
    for (const [expr, alias] of ks.selects) qb.addSelect(expr, alias);
    qb.limit(page.limit + 1);
    const { entities, raw } = await qb.getRawAndEntities<Record<string, string>>();
    const hasMore = entities.length > page.limit;
    const items = hasMore ? entities.slice(0, page.limit) : entities;
    const last = hasMore ? raw[page.limit - 1] : undefined;
    return { items, nextKey: last ? ks.selects.map(([, alias]) => last[alias]) : null };
  }

  /** The same for hand-written SQL: `rows` must carry `__key0…` columns from `buildKeyset().selects`. */
  pageFromRows<T>(rows: (T & Record<string, unknown>)[], page: PageRequest): Page<T> {
    const hasMore = rows.length > page.limit;
    const items = hasMore ? rows.slice(0, page.limit) : rows;
    const last = hasMore ? rows[page.limit - 1] : undefined;
    return {
      items,
      nextKey: last ? page.key.map((_, i) => String(last[`__key${i}`])) : null,
    };
  }
}
