import { BulkRestError, type FetchResult } from './errors';
import type { Page } from './types';

type ListResult<T> = Page<T> | FetchResult<Page<T>>;

const isFetchResult = <T>(r: ListResult<T>): r is FetchResult<Page<T>> =>
  'response' in r && r.response instanceof Response;

/**
 * Every item of a cursor-paginated list, page after page, following `next_cursor` until
 * `has_more` is false. `list` fetches one page for a query (`params` plus `cursor`); it may return
 * an openapi-fetch result (errors become `BulkRestError`) or the page itself.
 *
 * ```ts
 * for await (const order of paginate((query) => client.GET('/orders', { params: { query } }), { status: 'paid' }))
 * ```
 */
export async function* paginate<T, const Q extends object = Record<never, never>>(
  list: (query: Q & { cursor?: string }) => Promise<ListResult<T>>,
  params: Q = {} as Q,
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  for (;;) {
    const query = (cursor === undefined ? { ...params } : { ...params, cursor }) as Q & {
      cursor?: string;
    };
    const result = await list(query);
    let page: Page<T>;
    if (isFetchResult(result)) {
      if (!result.response.ok || result.data === undefined) {
        throw BulkRestError.fromResponse(result.response, result.error);
      }
      page = result.data;
    } else {
      page = result;
    }
    yield* page.data;
    if (!page.has_more || !page.next_cursor) return;
    if (page.next_cursor === cursor) {
      throw new BulkRestError('The server returned the same cursor twice', 0);
    }
    cursor = page.next_cursor;
  }
}

/** Collects an async iterable (e.g. `paginate(…)`) into an array, at most `max` items. */
export async function collect<T>(items: AsyncIterable<T>, max = Infinity): Promise<T[]> {
  const out: T[] = [];
  if (max <= 0) return out;
  for await (const item of items) {
    out.push(item);
    if (out.length >= max) break;
  }
  return out;
}
