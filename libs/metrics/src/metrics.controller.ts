import { AdminAttemptsLimiter, ApiKeyStore, bearerToken, Public } from '@app/auth';
import { appConfig, authConfig, ProblemCode, ProblemException } from '@app/common';
import { Controller, Get, Header, Inject, Logger, OnModuleInit, Req } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request } from 'express';
import { MetricsService } from './metrics.service';

/** Who may scrape: the operator key, nobody (production without one), or anyone (development). */
export type MetricsAccess = 'operator-key' | 'off' | 'open';

export function metricsAccess(
  adminApiKey: string | undefined,
  isProduction: boolean,
): MetricsAccess {
  if (adminApiKey) return 'operator-key';
  return isProduction ? 'off' : 'open';
}

/**
 * Prometheus scrape endpoint. The scrape names tenants and shows their load, so: with ADMIN_API_KEY
 * it needs `Authorization: Bearer <ADMIN_API_KEY>` and refuses a client address that sent too many
 * wrong keys (429) like the other operator endpoints; without it, in production it is not there
 * (404, like an unknown route: it does not exist until an operator key does), and outside production
 * it is open for local use, which start-up says.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller('metrics')
export class MetricsController implements OnModuleInit {
  private readonly logger = new Logger('Metrics');
  private readonly access: MetricsAccess;

  constructor(
    private readonly metrics: MetricsService,
    private readonly keys: ApiKeyStore,
    private readonly attempts: AdminAttemptsLimiter,
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
  ) {
    this.access = metricsAccess(auth.adminApiKey, app.isProduction);
  }

  onModuleInit(): void {
    if (this.access === 'open') {
      this.logger.warn(
        'ADMIN_API_KEY is not set: GET /metrics is open to anyone (tenant names and load); ' +
          'set ADMIN_API_KEY to require it (in NODE_ENV=production /metrics is off without it)',
      );
    } else if (this.access === 'off') {
      this.logger.log('ADMIN_API_KEY is not set: GET /metrics is off (404)');
    }
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: Request): Promise<string> {
    if (this.access === 'off') {
      throw new ProblemException(404, ProblemCode.NotFound, `Cannot GET ${req.path}`);
    }
    if (this.access === 'operator-key') {
      // Express's req.ip: the peer, or behind a proxy named in TRUST_PROXY the client it forwarded
      // for; a forwarded header from anyone else cannot pick another client's budget.
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
