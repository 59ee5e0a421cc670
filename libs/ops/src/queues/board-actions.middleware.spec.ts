import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { boardActions, isAllowedBoardAction, type BoardMode } from './board-actions.middleware';

const ROUTE = '/admin/queues';

describe('isAllowedBoardAction', () => {
  it.each([
    '/api/queues/pause',
    '/api/queues/resume',
    '/api/queues/bulk-jobs/pause',
    '/api/queues/bulk-jobs/resume',
    '/api/queues/bulk-jobs/promote',
    '/api/queues/bulk-jobs/retry/failed',
    '/api/queues/bulk-jobs/clean/completed',
    '/api/queues/bulk-jobs/chunk:123:0/retry',
    '/api/queues/bulk-jobs/42/clean',
    '/api/queues/bulk-jobs/42/promote',
  ])('allows PUT %s', (path) => {
    expect(isAllowedBoardAction('PUT', path)).toBe(true);
  });

  it.each([
    ['POST', '/api/queues/bulk-jobs/add'],
    ['PUT', '/api/queues/bulk-jobs/empty'],
    ['PUT', '/api/queues/bulk-jobs/obliterate'],
    ['PATCH', '/api/queues/bulk-jobs/42/update-data'],
    ['PATCH', '/api/queues/bulk-jobs/42/delay'],
    ['PUT', '/api/queues/bulk-jobs/concurrency'],
    ['PUT', '/api/queues/bulk-jobs/rate-limit/release'],
    ['PUT', '/api/queues/bulk-jobs/job-schedulers/s1/run'],
    ['PUT', '/api/queues/bulk-jobs/42/remove-unprocessed-children'],
    ['POST', '/api/metrics/history/purge'],
    ['DELETE', '/api/queues/bulk-jobs/42/clean'],
  ])('refuses %s %s', (method, path) => {
    expect(isAllowedBoardAction(method, path)).toBe(false);
  });
});

describe('boardActions', () => {
  const call = (mode: BoardMode, method: string, path: string) => {
    const headers: Record<string, string> = {};
    let status = 0;
    const res = {
      headersSent: false,
      setHeader: (n: string, v: string) => void (headers[n.toLowerCase()] = v),
      status(s: number) {
        status = s;
        return this;
      },
      end: () => undefined,
    } as unknown as Response;
    const req = {
      method,
      originalUrl: `${ROUTE}${path}?x=1`,
      url: `${ROUTE}${path}`,
      headers: {},
    } as unknown as Request;
    const next = vi.fn() as unknown as NextFunction;
    boardActions(mode, ROUTE)(req, res, next);
    return { status, headers, next };
  };

  it('read-only: reads pass, every write is 403, and the mode is stated', () => {
    const read = call('read-only', 'GET', '/api/queues');
    expect(read.next).toHaveBeenCalledOnce();
    expect(read.headers['x-queue-board-mode']).toBe('read-only');
    for (const [method, path] of [
      ['PUT', '/api/queues/bulk-jobs/retry/failed'],
      ['PUT', '/api/queues/bulk-jobs/pause'],
      ['POST', '/api/queues/bulk-jobs/add'],
    ]) {
      const r = call('read-only', method, path);
      expect(r.status).toBe(403);
      expect(r.next).not.toHaveBeenCalled();
    }
  });

  it('actions: retry, clean, pause and promote pass; adding and emptying stay refused', () => {
    expect(call('actions', 'PUT', '/api/queues/bulk-jobs/retry/failed').next).toHaveBeenCalled();
    expect(call('actions', 'PUT', '/api/queues/bulk-jobs/pause').next).toHaveBeenCalled();
    expect(call('actions', 'POST', '/api/queues/bulk-jobs/add').status).toBe(403);
    expect(call('actions', 'PUT', '/api/queues/bulk-jobs/empty').status).toBe(403);
    expect(call('actions', 'GET', '/').headers['x-queue-board-mode']).toBe('actions');
  });
});
