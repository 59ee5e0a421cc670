import { documentRateLimitHeaders } from '@app/auth';
import { idempotencyConfig, REQUEST_ID_HEADER } from '@app/common';
import { documentIdempotency } from '@app/idempotency';
import { EVENT_TYPES } from '@app/jobs';
import { INestApplication } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type ResponseObject,
} from '@nestjs/swagger';

/** Readiness answers its 503 (the Terminus body, not a problem) with `Retry-After: 5`. */
const NOT_READY_RETRY_AFTER = {
  description: 'Seconds to wait before asking again.',
  required: true,
  schema: { type: 'integer', minimum: 0 },
} as const;

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
  // @HealthCheck() documents a 503 for every probe, but liveness checks nothing: Terminus would only
  // answer 503 once shutting down, and by then HttpDrain has closed every connection. Never sent.
  const live = document.paths['/health/live']?.get;
  if (live) delete live.responses['503'];
  const notReady = document.paths['/health/ready']?.get?.responses['503'] as
    ResponseObject | undefined;
  if (notReady) notReady.headers = { 'Retry-After': NOT_READY_RETRY_AFTER };
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
  documentWebhooks(document);
  documentIdempotency(
    document,
    app.get<ConfigType<typeof idempotencyConfig>>(idempotencyConfig.KEY).ttlSeconds,
  );
  documentResponseHeaders(document);
  documentRateLimitHeaders(document);
  return document;
}

/**
 * Documented response headers that every response of that status carries, as far as the
 * decorators do not say so themselves: each handler documenting `Location` sets it on every
 * answer, and a 202 (an accepted job) always names its polling interval in `Retry-After`.
 */
const ALWAYS_SENT: Record<string, (status: string) => boolean> = {
  Location: () => true,
  'Retry-After': (status) => status === '202',
};

/**
 * `X-Request-Id` on every response (the request logger sets it before anything can answer: the
 * caller's id when it is 1–128 safe characters, else a new UUID), and `required` on the headers
 * of ALWAYS_SENT, so that clients may rely on them and the e2e checks refuse an answer without one.
 */
function documentResponseHeaders(document: OpenAPIObject): void {
  const components = (document.components ??= {});
  components.headers = {
    ...components.headers,
    [REQUEST_ID_HEADER]: {
      description:
        "The request's id, as in the service's log: the caller's `X-Request-Id` when it is 1–128 " +
        'characters of `A-Za-z0-9._~:@+=/-`, else a new UUID.',
      required: true,
      schema: { type: 'string', pattern: '^[A-Za-z0-9._~:@+=/-]{1,128}$' },
    },
  };
  for (const item of Object.values(document.paths)) {
    for (const op of Object.values(item) as { responses?: Record<string, ResponseObject> }[]) {
      // Response and header objects may be shared between operations: replace, never change them.
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const headers = Object.fromEntries(
          Object.entries(response.headers ?? {}).map(([name, header]) => [
            name,
            !('$ref' in header) && ALWAYS_SENT[name]?.(status)
              ? { ...header, required: true }
              : header,
          ]),
        );
        headers[REQUEST_ID_HEADER] = { $ref: `#/components/headers/${REQUEST_ID_HEADER}` };
        op.responses![status] = { ...response, headers };
      }
    }
  }
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

/** Webhook event types (libs/jobs/src/webhooks sends one POST per job lifecycle event) and their meaning. */
const WEBHOOK_EVENTS: Record<(typeof EVENT_TYPES)[number], string> = {
  'bulk_job.completed': 'The job finished and every item was processed (some may have failed).',
  'bulk_job.failed':
    'The job failed: an atomic job with a failing item, or an unrecoverable error.',
  'bulk_job.cancelled': 'The job was cancelled before it finished.',
};

/** The Standard Webhooks headers every delivery carries (https://www.standardwebhooks.com). */
const WEBHOOK_HEADERS = {
  'webhook-id': {
    description:
      'The event id (equal to the body `id`); the same on every retry, so deduplicate on it.',
    schema: { type: 'string', pattern: '^evt_[A-Za-z0-9]+$', example: 'evt_3k9x0m2q7c1v8b4n5z6a' },
  },
  'webhook-timestamp': {
    description:
      'When this attempt was signed, in Unix seconds. Refuse deliveries far from your clock.',
    schema: { type: 'string', pattern: '^[0-9]+$', example: '1767225600' },
  },
  'webhook-signature': {
    description:
      'Space-separated `v1,<base64>` signatures: HMAC-SHA256 with the webhook secret (the base64 part of ' +
      "`whsec_<base64>`) over `<webhook-id>.<webhook-timestamp>.<raw body>`. Verify with the SDK's " +
      '`verifyWebhook` or any Standard Webhooks library.',
    schema: {
      type: 'string',
      pattern: '^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$',
      example: 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
    },
  },
} as const;

/**
 * Webhooks in an OpenAPI 3.0 document. 3.0 has no `webhooks` (3.1 does) and the toolchain here
 * (openapi-response-validator, openapi-typescript's 3.0 output, the e2e checks) is 3.0, so:
 * a named schema for the payload (`BulkJobWebhookEvent`) and named header parameters (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`), which generators turn into types, plus the `x-webhooks` extension, shaped like 3.1 `webhooks`: one
 * Path Item per event type whose `post` is the request the service sends (header parameters, body).
 */
function documentWebhooks(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ?? {};
  // Every event type the service sends (a description for each is enforced by WEBHOOK_EVENTS' type).
  const types = EVENT_TYPES;
  // The delivered body is the event `GET /events` lists: a named alias, not a second copy of it.
  schemas.BulkJobWebhookEvent = {
    description:
      'The body of every webhook delivery (`Content-Type: application/json`): a job lifecycle event, ' +
      'the same object `GET /events` lists; `id` equals the `webhook-id` header and `data` is the job ' +
      'as `GET /bulk-jobs/{id}` shows it.',
    allOf: [{ $ref: '#/components/schemas/EventDto' }],
  };
  document.components.schemas = schemas;
  // One reusable header parameter per Standard Webhooks header, named by the header itself, so
  // generated types (`components['parameters']`) read as the header map a receiver gets.
  document.components.parameters = {
    ...document.components.parameters,
    ...Object.fromEntries(
      Object.entries(WEBHOOK_HEADERS).map(([name, h]) => [
        name,
        { name, in: 'header', required: true, description: h.description, schema: h.schema },
      ]),
    ),
  };
  const hooks: Record<string, unknown> = {};
  for (const type of types) {
    const description = WEBHOOK_EVENTS[type];
    hooks[type] = {
      post: {
        operationId: `webhook_${type.replace('.', '_')}`,
        summary: `\`${type}\` event`,
        description:
          `${description} Sent to the job's \`webhook_url\`. A 2xx answer acknowledges it; 410 ` +
          'stops delivery; anything else (or no answer) is retried with backoff under the same ' +
          '`webhook-id`. Redirects are not followed.',
        tags: ['Webhooks'],
        security: [],
        parameters: Object.keys(WEBHOOK_HEADERS).map((name) => ({
          $ref: `#/components/parameters/${name}`,
        })),
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                allOf: [
                  { $ref: '#/components/schemas/BulkJobWebhookEvent' },
                  { type: 'object', properties: { type: { type: 'string', enum: [type] } } },
                ],
              },
            },
          },
        },
        responses: {
          '200': { description: 'Any 2xx: delivered.' },
          '410': { description: 'Gone: no further deliveries of this event.' },
        },
      },
    };
  }
  (document as OpenAPIObject & { 'x-webhooks'?: unknown })['x-webhooks'] = hooks;
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
