import { authConfig } from '@app/common';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { FailedAttemptsLimiter, FAILURES_PER_WINDOW } from './failed-attempts.limiter';

/** Wrong operator keys one client address may present per window before it is refused outright. */
export const ADMIN_FAILURES_PER_WINDOW = FAILURES_PER_WINDOW;

/** Guessing of ADMIN_API_KEY on the operator endpoints (`/admin/*`, `/metrics`): 10 a minute. */
@Injectable()
export class AdminAttemptsLimiter extends FailedAttemptsLimiter {
  constructor() {
    super('operator');
  }
}

/** Guessing of tenant API keys, on every authenticated route (TENANT_KEY_FAILURES_PER_MINUTE). */
@Injectable()
export class TenantKeyAttemptsLimiter extends FailedAttemptsLimiter {
  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>) {
    super('tenant', config.tenantKeyFailuresPerMinute);
  }
}
