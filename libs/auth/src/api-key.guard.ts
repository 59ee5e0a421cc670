import { ProblemCode, ProblemException, setTenantId } from '@app/common';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { TenantKeyAttemptsLimiter } from './admin-attempts.limiter';
import { ApiKeyStore } from './api-key.store';
import { IS_PUBLIC_KEY } from './public.decorator';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? BEARER.exec(header)?.[1] : undefined;
}

/**
 * Global guard: every route needs `Authorization: Bearer <api key>` unless marked `@Public()`. The
 * first guard, so nothing (not even the body) is read for a caller it refuses; wrong keys are
 * limited per client address.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyStore,
    private readonly attempts: TenantKeyAttemptsLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization;
    const address = req.ip ?? 'unknown';
    if (header !== undefined) {
      const refusal = this.attempts.refusal(address);
      if (refusal) throw refusal;
    }
    try {
      setTenantId(authenticate(this.keys, header));
    } catch (unauthorized) {
      if (header !== undefined) this.attempts.recordFailure(address, `${req.method} ${req.path}`);
      throw unauthorized;
    }
    return true;
  }
}

/** The tenant behind `Authorization: Bearer <key>`, or the 401 problem to answer. */
export function authenticate(keys: ApiKeyStore, header: string | undefined): string {
  const key = bearerToken(header);
  const tenantId = key ? keys.resolve(key) : undefined;
  if (!tenantId) {
    throw new ProblemException(
      401,
      ProblemCode.Unauthorized,
      header ? 'The API key is not valid' : 'Send an API key as "Authorization: Bearer <key>"',
      { headers: { 'WWW-Authenticate': header ? 'Bearer error="invalid_token"' : 'Bearer' } },
    );
  }
  return tenantId;
}
