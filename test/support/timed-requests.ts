/** One answer of a spawned service as a test saw it: when, what, and the response or the failure. */
export interface Answer {
  what: string;
  /** When the request was sent and when its answer (or error) came. */
  at: number;
  done: number;
  /** Undefined when no HTTP answer came (`error` says why). */
  status?: number;
  headers: Headers;
  body: string;
  /** The body parsed as a JSON object ({} when it is not one). */
  json: Record<string, unknown>;
  retryAfter: string | null;
  error?: string;
}

export interface TimedRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON (a string as it is). */
  body?: unknown;
  timeoutMs?: number;
  /** The send time to record (e.g. one tick shared by a round of probes); default now. */
  at?: number;
}

/**
 * Requests to a spawned service (`base()`, through its validating proxy), each sent with the
 * tenant's key, timed and kept in `answers`. A dropped connection or a timeout is an answer with
 * `error`, never a throw: fault tests count them.
 */
export function timedRequests(
  base: () => string,
  auth: Record<string, string> = { Authorization: 'Bearer key_acme' },
) {
  const answers: Answer[] = [];
  const call = async (what: string, path: string, spec: TimedRequest = {}): Promise<Answer> => {
    const { method = 'GET', headers = {}, body, timeoutMs = 15_000, at = Date.now() } = spec;
    let answer: Answer;
    try {
      const res = await fetch(`${base()}${path}`, {
        method,
        headers: {
          ...auth,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let json: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
      } catch {
        // not JSON
      }
      answer = {
        what,
        at,
        done: Date.now(),
        status: res.status,
        headers: res.headers,
        body: text,
        json,
        retryAfter: res.headers.get('retry-after'),
      };
    } catch (e) {
      const err = e as Error & { cause?: Error };
      answer = {
        what,
        at,
        done: Date.now(),
        headers: new Headers(),
        body: '',
        json: {},
        retryAfter: null,
        error: `${err.message}${err.cause ? `: ${err.cause.message}` : ''}`,
      };
    }
    answers.push(answer);
    return answer;
  };
  return { answers, call };
}
