import { idempotencyConfig } from '@app/common';
import { documentIdempotency } from '@app/idempotency';
import { INestApplication } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Bulk REST service')
    .setDescription(
      [
        'Bulk work over REST: async bulk jobs, idempotency keys and cursor pagination.',
        '',
        'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.',
        'Lists are cursor-paginated: pass `next_cursor` back as `cursor`, or follow the `Link: rel="next"` header.',
      ].join('\n'),
    )
    .setVersion('1.0.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'API key: `Authorization: Bearer <key>`',
    })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller}_${method}`,
  });
  // Public probes take no credentials; say so, or generated SDKs would demand a key for them.
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/health/')) continue;
    for (const op of Object.values(item) as { security?: unknown[] }[]) op.security = [];
  }
  // Streamed bodies (NDJSON, CSV) are text, whatever the JSON body's schema is.
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as {
      requestBody?: {
        content?: Record<string, { schema?: unknown; examples?: unknown; example?: unknown }>;
      };
    }[]) {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        if (type === 'text/csv' || type === 'application/x-ndjson') {
          media.schema = {
            type: 'string',
            description:
              type === 'text/csv'
                ? 'CSV with a header row of item fields'
                : 'One JSON item per line',
          };
          // The JSON body's examples do not fit a text body: give one of the matching format.
          delete media.examples;
          media.example =
            type === 'text/csv'
              ? 'id,status\nord_123,cancelled\nord_124,shipped\n'
              : '{"id":"ord_123","status":"cancelled"}\n{"id":"ord_124","status":"shipped"}\n';
        }
      }
    }
  }
  documentIdempotency(
    document,
    app.get<ConfigType<typeof idempotencyConfig>>(idempotencyConfig.KEY).ttlSeconds,
  );
  return document;
}

/** `GET /openapi.json` and `GET /docs` (public). */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    raw: ['json', 'yaml'],
  });
}
