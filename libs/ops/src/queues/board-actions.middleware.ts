import { loggableUrl, ProblemCode, ProblemException, sendProblem } from '@app/common';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Dashboard API calls that change queue state and are allowed with ADMIN_BOARD_ACTIONS=true: retry,
 * clean, pause/resume and promote, for a whole queue or one job. Everything else that writes (add
 * job, edit data, empty, obliterate, concurrency, rate limits, schedulers) stays refused: it would
 * put work on the queues that Postgres does not know of, or lose work that only the reconciler
 * could bring back.
 */
const ALLOWED_ACTIONS = [
  /^\/api\/queues\/(pause|resume)$/,
  /^\/api\/queues\/[^/]+\/(pause|resume|promote)$/,
  /^\/api\/queues\/[^/]+\/(retry|clean)\/[^/]+$/,
  /^\/api\/queues\/[^/]+\/[^/]+\/(retry|clean|promote)$/,
];

export type BoardMode = 'read-only' | 'actions';

/** How the dashboard describes itself in its title. */
export function boardTitle(mode: BoardMode): string {
  return mode === 'actions'
    ? 'Bulk REST queues · actions: retry, clean, pause, promote'
    : 'Bulk REST queues · read-only';
}

/** `path` below the dashboard's route, without the query string. */
export function isAllowedBoardAction(method: string, path: string): boolean {
  return method === 'PUT' && ALLOWED_ACTIONS.some((re) => re.test(path));
}

/**
 * Behind `adminOnly`: reads always pass; writes pass only in `actions` mode and only for the
 * allowed actions (403 otherwise). Every answer names the mode in `X-Queue-Board-Mode`.
 */
export function boardActions(mode: BoardMode, route: string) {
  const logger = new Logger('Operators');
  return (req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('X-Queue-Board-Mode', mode);
    if (req.method === 'GET' || req.method === 'HEAD') {
      next();
      return;
    }
    const path = (req.originalUrl.split('?')[0] ?? '').slice(route.length) || '/';
    if (mode === 'actions' && isAllowedBoardAction(req.method, path)) {
      logger.warn(`queue dashboard action: ${req.method} ${loggableUrl(req.originalUrl)}`);
      next();
      return;
    }
    const detail =
      mode === 'read-only'
        ? 'The queue dashboard is read-only; set ADMIN_BOARD_ACTIONS=true to retry, clean, pause and promote'
        : 'Only retry, clean, pause and promote are allowed from the queue dashboard';
    sendProblem(new ProblemException(403, ProblemCode.Forbidden, detail), req, res, logger);
  };
}
