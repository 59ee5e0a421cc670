import { getTenantId, ProblemCode, ProblemException } from '@app/common';
import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request } from 'express';

/** One request budget per tenant across all routes and API processes (by IP before authentication). */
@Injectable()
export class TenantThrottlerGuard extends ThrottlerGuard {
  protected getTracker(req: Record<string, unknown>): Promise<string> {
    const tenant = getTenantId();
    return Promise.resolve(
      tenant ? `tenant:${tenant}` : `ip:${(req as unknown as Request).ip ?? 'unknown'}`,
    );
  }

  protected generateKey(
    _context: ExecutionContext,
    tracker: string,
    throttlerName: string,
  ): string {
    return `${throttlerName}:${tracker}`;
  }

  protected throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new ProblemException(
      429,
      ProblemCode.RateLimited,
      `Rate limit of ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s exceeded; retry after ${detail.timeToBlockExpire} s`,
      { headers: { 'Retry-After': String(Math.max(1, detail.timeToBlockExpire)) } },
    );
  }
}
