import type { Problem } from './types';

/**
 * An error answer of the API (RFC 9457 problem details when the server sent them), or a result the
 * SDK could not use. `status` is the HTTP status (0 when there was no response).
 */
export class BulkRestError extends Error {
  override readonly name = 'BulkRestError';

  constructor(
    message: string,
    readonly status: number,
    readonly problem?: Partial<Problem>,
    readonly response?: Response,
  ) {
    super(message);
  }

  /** The problem's stable `code`, e.g. `not_found` or `validation_failed`. */
  get code(): string | undefined {
    return this.problem?.code;
  }

  /** Builds the error from a response and its (already read) body. */
  static fromResponse(response: Response, body: unknown): BulkRestError {
    const problem = asProblem(body);
    const title = problem?.title ?? (response.statusText || 'Request failed');
    const detail = problem?.detail ? `: ${problem.detail}` : '';
    return new BulkRestError(
      `${response.status} ${title}${detail}`,
      response.status,
      problem,
      response,
    );
  }
}

/** Raised by `waitForJob` when the job is still running at the deadline. */
export class JobWaitTimeoutError extends Error {
  override readonly name = 'JobWaitTimeoutError';

  constructor(
    readonly jobId: string,
    readonly lastStatus: string | undefined,
    readonly timeoutMs: number,
  ) {
    super(`Job ${jobId} still ${lastStatus ?? 'unknown'} after ${timeoutMs} ms`);
  }
}

export function asProblem(body: unknown): Partial<Problem> | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.title !== 'string' && typeof b.code !== 'string') return undefined;
  return b;
}

/** What openapi-fetch answers: `data` on success, `error` (the parsed body) otherwise. */
export interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call, or a `BulkRestError` built from the problem details. */
export function unwrap<T>(result: FetchResult<T>): T {
  if (result.response.ok && result.error === undefined) return result.data as T;
  throw BulkRestError.fromResponse(result.response, result.error);
}
