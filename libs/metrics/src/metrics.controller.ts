import { ApiKeyStore, bearerToken, Public } from '@app/auth';
import { authConfig, ProblemCode, ProblemException } from '@app/common';
import { Controller, Get, Headers, Header, Inject } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint; needs `Authorization: Bearer <ADMIN_API_KEY>` once ADMIN_API_KEY is set. */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly keys: ApiKeyStore,
    @Inject(authConfig.KEY) private readonly auth: ConfigType<typeof authConfig>,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    if (this.auth.adminApiKey) {
      const key = bearerToken(authorization);
      if (!key || !this.keys.isAdmin(key)) {
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
