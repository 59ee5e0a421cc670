import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { loggableUrl } from '../http/loggable-url';
import { ProblemException } from './problem.exception';
import { toProblemException } from './problem.mapper';
import { PROBLEM_CONTENT_TYPE, ProblemCode } from './problem.types';

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: string;
  problem: ProblemException;
  /** True when nothing mapped the error: a bug, logged with its stack. */
  unexpected: boolean;
}

/** The exact bytes an error is answered with; shared by the filter and by idempotency records. */
export function renderError(error: unknown, req: Request): RenderedError {
  const mapped = toProblemException(error);
  const problem =
    mapped ?? new ProblemException(500, ProblemCode.InternalError, 'An unexpected error occurred');
  const status = problem.getStatus();
  const headers: Record<string, string> = {
    'content-type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
    ...Object.fromEntries(Object.entries(problem.headers).map(([k, v]) => [k.toLowerCase(), v])),
  };
  if (status === 401 && !headers['www-authenticate']) headers['www-authenticate'] = 'Bearer';
  if (status === 503 && !headers['retry-after']) headers['retry-after'] = '5';
  const body = JSON.stringify(problem.toProblem(req.originalUrl?.split('?')[0]));
  return { status, headers, body, problem, unexpected: !mapped };
}

export function writeRaw(
  res: Response,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status).end(body);
}

/** Writes a problem+json response for any error; shared by the Nest filter and the raw express error handler. */
export function sendProblem(error: unknown, req: Request, res: Response, logger: Logger): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const rendered = renderError(error, req);
  const where = `${req.method} ${loggableUrl(req.originalUrl ?? req.url)}`;
  if (rendered.unexpected) {
    logger.error(`Unhandled error on ${where}: ${(error as Error)?.stack ?? String(error)}`);
  } else if (rendered.status >= 500) {
    logger.warn(
      `${where} -> ${rendered.status}: ${(error as Error)?.message ?? rendered.problem.detail}`,
    );
  }
  writeRaw(res, rendered.status, rendered.headers, rendered.body);
}

/** Turns every error into RFC 9457 problem details with the contract's `code`. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<Request>(), http.getResponse<Response>(), this.logger);
  }
}
