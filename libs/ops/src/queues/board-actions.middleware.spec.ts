import { describe, expect, it } from 'vitest';
import { runMiddleware } from '../testing/fake-express';
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
  const call = (mode: BoardMode, method: string, path: string) =>
    runMiddleware(boardActions(mode, ROUTE), {
      method,
      originalUrl: `${ROUTE}${path}?x=1`,
      url: `${ROUTE}${path}`,
    });

  it('read-only: reads pass, every write is 403, and the mode is stated', () => {
    const read = call('read-only', 'GET', '/api/queues');
    expect(read.nextCalls).toBe(1);
    expect(read.headers['x-queue-board-mode']).toBe('read-only');
    for (const [method, path] of [
      ['PUT', '/api/queues/bulk-jobs/retry/failed'],
      ['PUT', '/api/queues/bulk-jobs/pause'],
      ['POST', '/api/queues/bulk-jobs/add'],
    ]) {
      const r = call('read-only', method, path);
      expect(r.status).toBe(403);
      expect(r.nextCalls).toBe(0);
    }
  });

  it('actions: retry, clean, pause and promote pass; adding and emptying stay refused', () => {
    expect(call('actions', 'PUT', '/api/queues/bulk-jobs/retry/failed').nextCalls).toBe(1);
    expect(call('actions', 'PUT', '/api/queues/bulk-jobs/pause').nextCalls).toBe(1);
    expect(call('actions', 'POST', '/api/queues/bulk-jobs/add').status).toBe(403);
    expect(call('actions', 'PUT', '/api/queues/bulk-jobs/empty').status).toBe(403);
    expect(call('actions', 'GET', '/').headers['x-queue-board-mode']).toBe('actions');
  });
});
