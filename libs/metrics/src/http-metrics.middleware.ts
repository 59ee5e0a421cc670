import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service';

/** Times every request, including those that never reach a controller (401, 404, 413…). */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      end({
        method: req.method,
        route: route
          ? `${req.baseUrl}${route}`
          : req.path.startsWith('/docs')
            ? '/docs'
            : 'unmatched',
        status: String(res.statusCode),
      });
    });
    next();
  };
}
