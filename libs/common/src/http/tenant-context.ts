import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Where the auth guard leaves the caller's tenant on the request. */
export const TENANT_ID = Symbol('tenantId');

export type RequestWithTenant = Request & { [TENANT_ID]?: string };

export function setTenantId(req: Request, tenantId: string): void {
  (req as RequestWithTenant)[TENANT_ID] = tenantId;
}

export function getTenantId(req: Request): string | undefined {
  return (req as RequestWithTenant)[TENANT_ID];
}

/** Injects the authenticated tenant id into a handler parameter. */
export const TenantId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const tenant = getTenantId(ctx.switchToHttp().getRequest<Request>());
  if (!tenant) throw new Error('TenantId used on a route without an authenticated tenant');
  return tenant;
});
