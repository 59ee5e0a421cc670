/** One column of a keyset sort key, as SQL sees it. */
export interface KeyColumn {
  /** Qualified column expression, e.g. `o.created_at`. */
  column: string;
  /** Postgres type the cursor value is cast back to, e.g. `timestamptz`, `text`, `bigint`. */
  type: 'timestamptz' | 'text' | 'bigint' | 'integer' | 'uuid';
}

export type SortDirection = 'asc' | 'desc';

/** What a list handler declares with `@Paginated(...)`. */
export interface PaginatedOptions {
  /** A unique, stable tuple; the last column must make it unique (usually the id). */
  key: readonly KeyColumn[];
  direction: SortDirection;
  /** Query parameters that narrow the list; a cursor is only valid with the same values. */
  filters?: readonly string[];
  /** Route parameters that scope the list (e.g. the job id of `/bulk-jobs/{id}/items`). */
  params?: readonly string[];
}

/** Handed to the handler: the validated limit and where the previous page stopped. */
export interface PageRequest {
  limit: number;
  /** Key values of the last row of the previous page, exactly as the database printed them. */
  after: string[] | null;
  key: readonly KeyColumn[];
  direction: SortDirection;
}

/** What a paginated handler returns; the interceptor turns it into the public envelope. */
export interface Page<T> {
  items: T[];
  /** Key of the last item when there is a next page, else null. */
  nextKey: string[] | null;
}

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

/** The same page with each item mapped (rows to entities, entities to DTOs); the cursor key is kept. */
export function mapPage<T, U>(page: Page<T>, fn: (item: T) => U): Page<U> {
  return { ...page, items: page.items.map((item) => fn(item)) };
}

/** The key of a newest-first list over `alias`: creation time, then id to break ties. */
export function newestFirstKey(alias: string): readonly KeyColumn[] {
  return [
    { column: `${alias}.created_at`, type: 'timestamptz' },
    { column: `${alias}.id`, type: 'text' },
  ];
}
