import {
  getTenantId,
  ProblemCode,
  ProblemException,
  setRequestRateLimit,
  type RequestRateLimit,
} from '@app/common';
import { ExecutionContext, Injectable } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import {
  RATE_LIMIT_HEADER,
  RATE_LIMIT_POLICY_HEADER,
  rateLimitField,
  rateLimitPolicyField,
} from './rate-limit-headers';

/**
 * One request budget per tenant across all routes and API processes (by IP before authentication).
 * An authenticated request's count goes into the request context (for `GET /limits`) and into the
 * `RateLimit-Policy` and `RateLimit` headers of its answer, whatever its status; an anonymous one's
 * does not (a 401 tells nothing about anyone's budget).
 */
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

  /** The package's counting, with the draft's headers in place of its `X-RateLimit-*` ones. */
  protected async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, blockDuration, getTracker, generateKey } = request;
    const name = request.throttler.name ?? 'default';
    const { req, res } = this.getRequestResponse(context);
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, name);
    const hit = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    if (getTenantId()) {
      const state: RequestRateLimit = {
        policy: name,
        limit,
        windowSeconds: Math.max(1, Math.round(ttl / 1000)),
        used: hit.totalHits,
        remaining: Math.max(0, limit - hit.totalHits),
        resetSeconds: hit.timeToExpire,
        resetAt: new Date(Date.now() + hit.timeToExpire * 1000),
      };
      setRequestRateLimit(state);
      const answer = res as Response;
      answer.setHeader(RATE_LIMIT_POLICY_HEADER, rateLimitPolicyField(state));
      answer.setHeader(RATE_LIMIT_HEADER, rateLimitField(state));
    }
    if (hit.isBlocked) {
      await this.throwThrottlingException(context, { ...hit, limit, ttl, key, tracker });
    }
    return true;
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
