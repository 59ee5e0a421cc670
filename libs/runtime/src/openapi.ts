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
  nullableRefsAsAnyOf(document);
  closeRequestBodies(document);
  documentIdempotency(
    document,
    app.get<ConfigType<typeof idempotencyConfig>>(idempotencyConfig.KEY).ttlSeconds,
  );
  return document;
}

/**
 * `X | null` properties: the Swagger plugin writes `{ nullable: true, allOf: [$ref] }`, but in OpenAPI 3.0
 * `nullable` has no effect without a `type` beside it, and the referenced object schema refuses null, so
 * strict validators (and validating proxies) reject `"error": null`. `anyOf: [$ref, null-only schema]`
 * accepts exactly the object or null in every 3.0 validator, and generators type it `X | null`.
 */
function nullableRefsAsAnyOf(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? {};
  const visit = (schema: Record<string, unknown>): void => {
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, prop] of Object.entries(props)) {
      const allOf = prop.allOf as unknown[] | undefined;
      if (prop.nullable === true && allOf?.length === 1) {
        const { description } = prop;
        props[name] = {
          ...(description ? { description } : {}),
          anyOf: [allOf[0], { $ref: '#/components/schemas/Null' }],
        };
      }
    }
  };
  for (const schema of Object.values(schemas)) visit(schema as Record<string, unknown>);
  // The form the OpenAPI 3.0.3 clarification of `nullable` gives for "only null" (the type is arbitrary).
  schemas.Null = { type: 'string', nullable: true, enum: [null], description: 'JSON `null`.' };
  document.components.schemas = schemas;
}

/**
 * The global ValidationPipe runs with `forbidNonWhitelisted`: an unknown field in a JSON body is a 400.
 * Say so in the body schemas (`additionalProperties: false`), so generated clients refuse it before
 * sending. Only schemas used as JSON request bodies: responses may grow fields.
 */
function closeRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as {
      requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> };
    }[]) {
      const ref = op.requestBody?.content?.['application/json']?.schema?.$ref;
      const schema = ref ? schemas[ref.replace('#/components/schemas/', '')] : undefined;
      if (schema && !('$ref' in schema)) schema.additionalProperties = false;
    }
  }
}

// Document-level facts the decorators cannot express. Relative server: the host that serves this document.
const SERVERS = [{ url: '/', description: 'The server this document is served from' }];
const CONTACT = { name: 'Bulk REST service maintainers' };
const LICENSE = { name: 'UNLICENSED' };

/**
 * The one OpenAPI document: what `GET /openapi.json` serves and what `npm run openapi` commits
 * (servers, contact, license and a canonical key order included), so the two cannot drift.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  document.info = { ...document.info, contact: CONTACT, license: LICENSE };
  document.servers = SERVERS;
  return canonicalOpenApi(document);
}

/** `GET /openapi.json` and `GET /docs` (public). */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => openApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    raw: ['json', 'yaml'],
  });
}

const TOP = ['openapi', 'info', 'servers', 'security', 'tags', 'externalDocs', 'paths'];
TOP.push('webhooks', 'x-webhooks', 'components');
const INFO = ['title', 'version', 'description', 'contact', 'license'];
const PATH_KEYS = ['summary', 'description', 'servers', 'parameters'];
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'options', 'head', 'trace'];
const COMPONENTS = ['schemas', 'responses', 'parameters', 'examples', 'requestBodies', 'headers'];
COMPONENTS.push('securitySchemes', 'links', 'callbacks');

type Json = Record<string, unknown>;

function ordered<T extends object>(obj: T, first: string[], sortRest = true): T {
  const keys = Object.keys(obj);
  const head = first.filter((k) => k in obj);
  const rest = keys.filter((k) => !first.includes(k));
  if (sortRest) rest.sort();
  return Object.fromEntries([...head, ...rest].map((k) => [k, (obj as Json)[k]])) as T;
}
const sorted = <T extends object>(obj: T): T => ordered(obj, []);

function canonicalOperations(item: Json): Json {
  const out = ordered(item, [...PATH_KEYS, ...METHODS]);
  for (const method of METHODS) {
    const op = out[method] as { responses?: Json; requestBody?: { content?: Json } } | undefined;
    if (!op) continue;
    if (op.responses) {
      op.responses = sorted(op.responses);
      for (const r of Object.values(op.responses) as { headers?: Json; content?: Json }[]) {
        if (r.headers) r.headers = sorted(r.headers);
        if (r.content) r.content = sorted(r.content);
      }
    }
    if (op.requestBody?.content) op.requestBody.content = sorted(op.requestBody.content);
  }
  return out;
}

/**
 * Stable key order: maps whose order carries no meaning (paths, components, responses, headers,
 * content types) are sorted; everything else (schema properties, parameters, examples) keeps the
 * order the code declares, which is deterministic.
 */
export function canonicalOpenApi(doc: OpenAPIObject): OpenAPIObject {
  const out = ordered(doc, TOP) as OpenAPIObject & Json;
  out.info = ordered(out.info, INFO, false);
  const paths = sorted(out.paths ?? {}) as Json;
  for (const [path, item] of Object.entries(paths)) paths[path] = canonicalOperations(item as Json);
  out.paths = paths as OpenAPIObject['paths'];
  for (const key of ['webhooks', 'x-webhooks']) {
    const hooks = out[key] as Json | undefined;
    if (!hooks) continue;
    const next = sorted(hooks);
    for (const [name, item] of Object.entries(next)) next[name] = canonicalOperations(item as Json);
    out[key] = next;
  }
  if (out.components) {
    const components = ordered(out.components, COMPONENTS) as Json;
    for (const key of Object.keys(components)) components[key] = sorted(components[key] as Json);
    out.components = components;
  }
  return out;
}
