import { AdminAttemptsLimiter, ApiKeyStore, bearerToken, Public } from '@app/auth';
import { authConfig, ProblemCode, ProblemException } from '@app/common';
import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request } from 'express';
import { MetricsService } from './metrics.service';

/**
 * Prometheus scrape endpoint; needs `Authorization: Bearer <ADMIN_API_KEY>` once ADMIN_API_KEY is
 * set, and refuses an address that sent too many wrong keys (429) like the other operator endpoints.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly keys: ApiKeyStore,
    private readonly attempts: AdminAttemptsLimiter,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(@Req() req: Request): Promise<string> {
    if (this.auth.adminApiKey) {
      // `trust proxy` is off: the peer address, which a forwarded header cannot change.
      const address = req.ip ?? 'unknown';
      const refusal = this.attempts.refusal(address);
      if (refusal) throw refusal;
      const header = req.headers.authorization;
      const key = bearerToken(header);
      if (!key || !this.keys.isAdmin(key)) {
        if (header) this.attempts.recordFailure(address, 'GET /metrics');
        throw new ProblemException(
          401,
          ProblemCode.Unauthorized,
          'Metrics need the operator key: Authorization: Bearer <ADMIN_API_KEY>',
        );
      }
    }
    return this.metrics.render();
  }
}
