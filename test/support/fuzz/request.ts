import type { Method } from './spec';

/** Ids made before the run that generated requests refer to. */
export interface Pools {
  orders: string[];
  jobs: string[];
  foreignOrders: string[];
  foreignJobs: string[];
  cursors: string[];
}

export type Tenant = 'acme' | 'globex' | 'bad' | 'none';

export interface FuzzRequest {
  index: number;
  op: string;
  method: Method;
  tenant: Tenant;
  /** Path and query exactly as sent (see `asSent`). */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What the run counts this request as (see fuzz/coverage.ts), e.g. `body upload`. */
  kinds: string[];
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

/**
 * A URL as an HTTP client puts it on the wire: without its fragment, and with every byte outside
 * printable ASCII percent-encoded (lone surrogates as U+FFFD), so the path the service sees is
 * exactly the one recorded here.
 */
export function asSent(url: string): string {
  return Array.from(url.split('#')[0], (ch) =>
    /^[\x21-\x7e]$/.test(ch)
      ? ch
      : Array.from(
          Buffer.from(ch, 'utf8'),
          (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
        ).join(''),
  ).join('');
}
