import { ProblemDetailsSchema } from '@app/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency.constants';

interface Operation {
  parameters?: { name: string; in: string }[];
  responses: Record<string, unknown>;
}

/** Adds the `Idempotency-Key` header, the replay header and the 409/422 problems to every POST/PATCH. */
export function documentIdempotency(document: OpenAPIObject, ttlSeconds: number): void {
  const problem = {
    'application/problem+json': {
      schema: { $ref: `#/components/schemas/${ProblemDetailsSchema.name}` },
    },
  };
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
    }
  }
}
