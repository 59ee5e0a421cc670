import { AdminAttemptsLimiter, type ApiKeyStore } from '@app/auth';
import type { appConfig, authConfig } from '@app/common';
import { ProblemException } from '@app/common';
import type { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MetricsController, metricsAccess } from './metrics.controller';
import type { MetricsService } from './metrics.service';

describe('metricsAccess', () => {
  it('needs the operator key once one is set, is off in production without one, open otherwise', () => {
    expect(metricsAccess('adm', true)).toBe('operator-key');
    expect(metricsAccess('adm', false)).toBe('operator-key');
    expect(metricsAccess(undefined, true)).toBe('off');
    expect(metricsAccess(undefined, false)).toBe('open');
  });
});

describe('MetricsController', () => {
  const controller = (adminApiKey: string | undefined, isProduction: boolean) =>
    new MetricsController(
      { render: () => Promise.resolve('metric 1\n') } as unknown as MetricsService,
      { isAdmin: (k: string) => k === adminApiKey } as unknown as ApiKeyStore,
      new AdminAttemptsLimiter(),
      { adminApiKey } as ConfigType<typeof authConfig>,
      { isProduction } as ConfigType<typeof appConfig>,
    );
  const req = (authorization?: string, ip = '203.0.113.7') =>
    ({ path: '/metrics', ip, headers: authorization ? { authorization } : {} }) as Request;
  const statusOf = async (scrape: () => Promise<string>) => {
    try {
      await scrape();
      return 200;
    } catch (e) {
      expect(e).toBeInstanceOf(ProblemException);
      return (e as ProblemException).getStatus();
    }
  };

  afterEach(() => vi.restoreAllMocks());

  it('says at start-up when it is open or off', () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    controller(undefined, false).onModuleInit();
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^ADMIN_API_KEY is not set: GET \/metrics is open to anyone/),
    );
    controller(undefined, true).onModuleInit();
    expect(log).toHaveBeenCalledWith('ADMIN_API_KEY is not set: GET /metrics is off (404)');
    warn.mockClear();
    log.mockClear();
    controller('adm', true).onModuleInit();
    expect(warn).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it('in production without ADMIN_API_KEY: 404 like an unknown route, whatever is sent', async () => {
    const c = controller(undefined, true);
    for (const header of [undefined, 'Bearer anything']) {
      const attempt = c.scrape(req(header));
      await expect(attempt).rejects.toMatchObject({
        code: 'not_found',
        detail: 'Cannot GET /metrics',
      });
    }
  });

  it('outside production without ADMIN_API_KEY: open', async () => {
    await expect(controller(undefined, false).scrape(req())).resolves.toBe('metric 1\n');
  });

  it('with ADMIN_API_KEY, in production or not: 401 without it, 429 after 10 wrong ones per req.ip', async () => {
    for (const production of [true, false]) {
      const c = controller('adm', production);
      expect(await statusOf(() => c.scrape(req()))).toBe(401);
      expect(await statusOf(() => c.scrape(req('Bearer adm')))).toBe(200);
      for (let i = 0; i < 10; i++)
        expect(await statusOf(() => c.scrape(req('Bearer x')))).toBe(401);
      expect(await statusOf(() => c.scrape(req('Bearer adm')))).toBe(429);
      // Another client address (as req.ip names it) keeps its own budget.
      expect(await statusOf(() => c.scrape(req('Bearer adm', '203.0.113.8')))).toBe(200);
    }
  });
});
