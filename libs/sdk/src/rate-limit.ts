/**
 * The server's `RateLimit-Policy` and `RateLimit` headers (draft-ietf-httpapi-ratelimit-headers-10),
 * read into numbers: a client that knows how much is left can slow down before it is answered 429.
 */
export interface RateLimitInfo {
  /** The policy's name (`default`: the tenant's request limit, `requests` in `GET /limits`). */
  policy: string;
  /** Quota units (requests) left in the current window. */
  remaining: number;
  /** Seconds until more quota is available; undefined when the server did not say. */
  resetSeconds?: number;
  /** The policy's quota per window, from `RateLimit-Policy`, when sent. */
  quota?: number;
  /** The policy's window in seconds, from `RateLimit-Policy`, when sent. */
  windowSeconds?: number;
}

type Params = Map<string, string>;

/**
 * Items of a Structured Field List whose values are Strings (the draft's policy names) with
 * parameters; undefined for a malformed field, which the draft says to ignore whole.
 */
function parseList(field: string | null): { name: string; params: Params }[] | undefined {
  if (field === null) return [];
  const items: { name: string; params: Params }[] = [];
  let rest = field.trim();
  while (rest.length > 0) {
    const name = /^"((?:[^"\\]|\\["\\])*)"/.exec(rest);
    if (!name) return undefined;
    rest = rest.slice(name[0].length);
    const params: Params = new Map();
    for (;;) {
      const param = /^;\s*([a-z*][a-z0-9_.*-]*)(?:=("(?:[^"\\]|\\["\\])*"|[^;,\s]+))?/.exec(rest);
      if (!param) break;
      params.set(param[1], param[2] ?? '?1');
      rest = rest.slice(param[0].length);
    }
    items.push({ name: name[1].replace(/\\(["\\])/g, '$1'), params });
    rest = rest.trimStart();
    if (rest.length === 0) break;
    if (!rest.startsWith(',')) return undefined;
    rest = rest.slice(1).trimStart();
    if (rest.length === 0) return undefined;
  }
  return items;
}

const integer = (value: string | undefined): number | undefined =>
  value !== undefined && /^[0-9]{1,15}$/.test(value) ? Number(value) : undefined;

/**
 * Every policy the answer's `RateLimit` header reports, with its quota and window from
 * `RateLimit-Policy` when that names the same policy. Empty when the answer carries none (no
 * limit, an anonymous answer) or when the field is malformed.
 */
export function rateLimitsOf(answer: Response | Headers): RateLimitInfo[] {
  const headers = answer instanceof Headers ? answer : answer.headers;
  const limits = parseList(headers.get('ratelimit')) ?? [];
  const policies = parseList(headers.get('ratelimit-policy')) ?? [];
  const out: RateLimitInfo[] = [];
  for (const { name, params } of limits) {
    const remaining = integer(params.get('r'));
    if (remaining === undefined) continue;
    const policy = policies.find((p) => p.name === name)?.params;
    const info: RateLimitInfo = { policy: name, remaining };
    const reset = integer(params.get('t'));
    if (reset !== undefined) info.resetSeconds = reset;
    const quota = integer(policy?.get('q'));
    if (quota !== undefined) info.quota = quota;
    const window = integer(policy?.get('w'));
    if (window !== undefined) info.windowSeconds = window;
    out.push(info);
  }
  return out;
}

/**
 * Holds a client's next requests while the server says a quota is spent (`RateLimit` with `r=0`),
 * until its `t` seconds have passed: the client backs off before it is answered 429, not after.
 */
export class RateLimitGate {
  private openAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Learns from an answer's headers. */
  observe(answer: Response): void {
    for (const limit of rateLimitsOf(answer)) {
      if (limit.remaining === 0 && limit.resetSeconds !== undefined) {
        this.openAt = Math.max(this.openAt, this.now() + limit.resetSeconds * 1000);
      }
    }
  }

  /** How long the next request should wait, in ms (0: send it now). */
  waitMs(): number {
    return Math.max(0, this.openAt - this.now());
  }
}
