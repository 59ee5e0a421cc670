import { createParamDecorator } from '@nestjs/common';
import { requestContext } from './request-context';

/** The tenant's key in the request context. */
const TENANT_ID = Symbol('tenantId');

/** Records the authenticated tenant in the request context (the auth guard, once per request). */
export function setTenantId(tenantId: string): void {
  requestContext().set(TENANT_ID, tenantId);
}

/** The tenant of the request being handled; undefined before authentication, outside requests. */
export function getTenantId(): string | undefined {
  return requestContext().get<string | undefined>(TENANT_ID);
}

/** Injects the authenticated tenant id into a handler parameter. */
export const TenantId = createParamDecorator((): string => {
  const tenant = getTenantId();
  if (!tenant) throw new Error('TenantId used on a route without an authenticated tenant');
  return tenant;
});
