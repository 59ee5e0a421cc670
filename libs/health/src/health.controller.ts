import { Public } from '@app/auth';
import { MAINTENANCE_QUEUE, REDIS_COMMAND_TIMEOUT_MS, RedisPrimaryService } from '@app/queue';
import { InjectQueue } from '@nestjs/bull';
import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiProblems } from '@app/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Database } from '@app/database';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Queue } from 'bull';
import type { Response } from 'express';

const CHECK_TIMEOUT_MS = Math.min(REDIS_COMMAND_TIMEOUT_MS, 2000);

@ApiTags('health')
// Public, yet the shared HTTP stack still answers a body that is not JSON (400) and an Authorization
// header that is present but wrong (401) before any probe runs.
@ApiProblems(
  [400, 'A request body was sent and is not valid JSON (`validation_failed`).'],
  [401, 'An `Authorization` header was sent and is not valid (`unauthorized`); send none.'],
)
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: Database,
    private readonly indicators: HealthIndicatorService,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly primary: RedisPrimaryService,
  ) {}

  /** The process is up and serving HTTP; never checks dependencies (a restart would not fix them). */
  @Get('live')
  @HealthCheck()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness probe' })
  live() {
    return this.health.check([]);
  }

  /**
   * Ready to take traffic: Postgres, Redis and the job queue answer. 503 otherwise. The Redis entry
   * names the primary in use (`primary`, `via` url or sentinel); a server that answers as a replica
   * (a failover the connection has not followed yet) counts as down.
   */
  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness probe' })
  async ready(@Res({ passthrough: true }) res: Response) {
    try {
      return await this.check();
    } catch (e) {
      // Probes expect the Terminus body on 503 too, not a problem document.
      if (!(e instanceof ServiceUnavailableException)) throw e;
      res.status(503).setHeader('Retry-After', '5');
      return e.getResponse();
    }
  }

  private check() {
    return this.health.check([
      () =>
        this.indicators
          .check('database')
          .attempt(() => this.db.ping())
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicators
          .check('redis')
          .attempt(async () => {
            const [role] = (await this.queue.client.call('ROLE')) as [string];
            if (role !== 'master') throw new Error(`connected to a ${role}, not the primary`);
            return { primary: this.primary.primary, via: this.primary.mode };
          })
          .withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicators
          .check('queue')
          .attempt(async () => ({ waiting: await this.queue.getWaitingCount() }))
          .withTimeout(CHECK_TIMEOUT_MS),
    ]);
  }
}
