/** Metadata key of `@Paginated()` options. */
export const PAGINATED_KEY = 'pagination:options';
/** Where the interceptor leaves the verified page request for `@PageArgs()`. */
export const PAGE_REQUEST = Symbol('pageRequest');
