// Fakes for the ops unit specs (not exported by the barrel).
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface MiddlewareOutcome {
  /** The status the middleware answered with (0: it did not answer). */
  status: number;
  /** Headers it set, by lower-case name (a list for a header sent on several lines). */
  headers: Record<string, string | string[]>;
  /** The body it ended the response with ('' when none). */
  body: string;
  /** How often it passed the request on (`next()`). */
  nextCalls: number;
}

/** Runs `middleware` once on a minimal Express request (`req` on top of empty headers). */
export function runMiddleware(
  middleware: RequestHandler,
  req: Partial<Request>,
): MiddlewareOutcome {
  const outcome: MiddlewareOutcome = { status: 0, headers: {}, body: '', nextCalls: 0 };
  const res = {
    headersSent: false,
    setHeader: (n: string, v: string | string[]) => void (outcome.headers[n.toLowerCase()] = v),
    status(s: number) {
      outcome.status = s;
      return this;
    },
    end(b?: string) {
      outcome.body = b ?? '';
    },
  } as unknown as Response;
  const next = (() => void outcome.nextCalls++) as NextFunction;
  void middleware({ headers: {}, ...req } as Request, res, next);
  return outcome;
}
