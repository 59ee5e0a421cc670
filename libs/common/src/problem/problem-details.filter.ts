import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemException } from './problem.exception';
import { toProblemException } from './problem.mapper';
import { PROBLEM_CONTENT_TYPE, ProblemCode } from './problem.types';

/** Writes a problem+json response for any error; shared by the Nest filter and the raw express error handler. */
export function sendProblem(error: unknown, req: Request, res: Response, logger: Logger): void {
  let problem = toProblemException(error);
  if (!problem) {
    logger.error(
      `Unhandled error on ${req.method} ${req.originalUrl ?? req.url}: ${(error as Error)?.stack ?? String(error)}`,
    );
    problem = new ProblemException(500, ProblemCode.InternalError, 'An unexpected error occurred');
  } else if (problem.getStatus() >= 500) {
    logger.warn(
      `${req.method} ${req.originalUrl ?? req.url} -> ${problem.getStatus()}: ${(error as Error)?.message ?? problem.detail}`,
    );
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = problem.getStatus();
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  if (status === 401 && !res.getHeader('WWW-Authenticate'))
    res.setHeader('WWW-Authenticate', 'Bearer');
  if (status === 503 && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '5');
  res
    .status(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.toProblem(req.originalUrl?.split('?')[0])));
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
