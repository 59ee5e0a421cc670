import { ProblemDetailsSchema } from '@app/common';
import type { OpenAPIObject, ResponseObject } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency.constants';

interface Operation {
  parameters?: { name: string; in: string }[];
  responses: Record<string, ResponseObject>;
}

/** Adds the `Idempotency-Key` header, the replay header and the 409/422 problems to every POST/PATCH. */
export function documentIdempotency(document: OpenAPIObject, ttlSeconds: number): void {
  const problem = {
    'application/problem+json': {
      schema: { $ref: `#/components/schemas/${ProblemDetailsSchema.name}` },
    },
  };
  const replayed = { $ref: `#/components/headers/${IDEMPOTENT_REPLAYED_HEADER}` };
  for (const item of Object.values(document.paths)) {
    for (const method of ['post', 'patch'] as const) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      op.parameters = [
        ...(op.parameters ?? []).filter(
          (p) => !(p.in === 'header' && p.name === IDEMPOTENCY_KEY_HEADER),
        ),
        {
          name: IDEMPOTENCY_KEY_HEADER,
          in: 'header',
          required: false,
          description:
            `Makes the request safe to retry: 1–255 printable ASCII characters, unique per request (a UUID v4 is ideal). ` +
            `A retry with the same key and the same request returns the stored response with ` +
            `\`${IDEMPOTENT_REPLAYED_HEADER}: true\` and executes nothing; the same key with a different request → 422 ` +
            `\`idempotency_key_reused\`; while the first is still running → 409 \`idempotency_key_in_use\` with \`Retry-After\`. ` +
            `Keys are scoped to the tenant and kept for ${ttlSeconds} seconds (IDEMPOTENCY_TTL_SECONDS). ` +
            `Validation failures and 5xx responses are not stored.`,
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
        } as { name: string; in: string },
      ];
      op.responses['409'] ??= {
        description: 'Conflict, e.g. `idempotency_key_in_use` (retry after `Retry-After` seconds).',
        headers: { 'Retry-After': { schema: { type: 'integer' } } },
        content: problem,
      };
      op.responses['422'] = {
        description:
          'The Idempotency-Key was used with a different request (`idempotency_key_reused`).',
        content: problem,
      };
      // Any stored answer can be replayed. Never stored: 5xx answers, and refusals decided before
      // or instead of the handler (401 comes before the key is read, 422 is about the key itself).
      // Response objects may be shared with other operations: replace, never change them.
      for (const [status, response] of Object.entries(op.responses)) {
        if (status.startsWith('5') || status === '401' || status === '422') continue;
        const headers = { ...response.headers, [IDEMPOTENT_REPLAYED_HEADER]: replayed };
        op.responses[status] = { ...response, headers };
      }
    }
  }
  document.components = {
    ...document.components,
    headers: {
      ...document.components?.headers,
      [IDEMPOTENT_REPLAYED_HEADER]: {
        description:
          'Present (`true`) when this is the stored answer of an earlier request with the same ' +
          '`Idempotency-Key`: nothing was executed again.',
        required: false,
        schema: { type: 'string', enum: ['true'] },
      },
    },
  };
}
