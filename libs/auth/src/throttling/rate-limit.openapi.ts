import type { OpenAPIObject, ResponseObject } from '@nestjs/swagger';
import { RATE_LIMIT_HEADER, RATE_LIMIT_POLICY_HEADER } from './rate-limit-headers';

const WHEN =
  'Sent on every answer to an authenticated request (problems and 429 included) while the service ' +
  'limits requests (`RATE_LIMIT_PER_MINUTE` > 0); never on a 401. ' +
  'draft-ietf-httpapi-ratelimit-headers-10: a Structured Field List with one Item per policy; the ' +
  "policy `default` is the tenant's request limit, which `GET /limits` lists as `requests`.";

const HEADERS = {
  [RATE_LIMIT_POLICY_HEADER]: {
    description: `The quota policy: \`q\` requests per window of \`w\` seconds. ${WHEN}`,
    required: false,
    schema: {
      type: 'string',
      pattern: '^"[^"\\\\]+";q=[0-9]+;w=[1-9][0-9]*$',
      example: '"default";q=60000;w=60',
    },
  },
  [RATE_LIMIT_HEADER]: {
    description:
      'What is left of the policy: `r` requests remaining in the current window, `t` seconds until ' +
      `it ends. ${WHEN}`,
    required: false,
    schema: {
      type: 'string',
      pattern: '^"[^"\\\\]+";r=[0-9]+;t=[0-9]+$',
      example: '"default";r=59999;t=42',
    },
  },
};

/**
 * The `RateLimit-Policy` and `RateLimit` headers (TenantThrottlerGuard) on every response of every
 * operation that takes an API key, except 401 (the guard never counts an anonymous caller's budget
 * for a tenant). Not `required`: `RATE_LIMIT_PER_MINUTE=0` sends none.
 */
export function documentRateLimitHeaders(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.headers = { ...components.headers, ...HEADERS };
  const refs = Object.fromEntries(
    Object.keys(HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]),
  );
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as {
      security?: unknown[];
      responses?: Record<string, ResponseObject>;
    }[]) {
      // Public operations (`security: []`) answer anyone and count no tenant's requests.
      if (!op.responses || (Array.isArray(op.security) && op.security.length === 0)) continue;
      // Response objects may be shared between operations: replace, never change them.
      for (const [status, response] of Object.entries(op.responses)) {
        if (status === '401') continue;
        op.responses[status] = { ...response, headers: { ...response.headers, ...refs } };
      }
    }
  }
}
