import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAPIResponseValidator from 'openapi-response-validator';

/**
 * Checks real responses against the committed openapi.json: the status is documented for the
 * operation, the media type is one the status documents (or there is no body where none is
 * documented), documented headers are present when required and match their schema, and the body
 * matches the schema of its media type (openapi-response-validator, Ajv underneath).
 *
 * Every app made by createTestApp records its responses here, and so does every spawned service
 * process a test reaches through test/support/validating-proxy.ts; test/support/openapi-setup.ts
 * fails the test during which a mismatch happened and writes the counts for the run's summary.
 */

interface Schema {
  type?: string;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}
interface MediaType {
  schema?: unknown;
}
interface ResponseObject {
  headers?: Record<string, { required?: boolean; schema?: Schema }>;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId: string;
  responses: Record<string, ResponseObject>;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface WebhookOperation {
  parameters: (Parameter | { $ref: string })[];
  requestBody: { content: Record<string, MediaType> };
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  'x-webhooks'?: Record<string, { post: WebhookOperation }>;
  components: Record<string, unknown>;
}

export const SPEC_PATH = join(__dirname, '..', '..', 'openapi.json');
const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];
const routes = Object.entries(spec.paths)
  .map(([template, item]) => ({
    template,
    item,
    // Literal segments outrank templated ones (`/bulk-jobs/{id}` never shadows a literal path).
    literal: template.split('/').filter((s) => !s.startsWith('{')).length,
    regex: new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`,
    ),
  }))
  .sort((a, b) => b.literal - a.literal);

/** Every (operation, status) pair the document promises, e.g. `POST /orders 201`. */
export const DOCUMENTED_PAIRS: string[] = routes.flatMap(({ template, item }) =>
  METHODS.filter((m) => item[m]).flatMap((m) =>
    Object.keys(item[m].responses).map((status) => `${m.toUpperCase()} ${template} ${status}`),
  ),
);

export interface ResponseRecord {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: Buffer;
}

export interface Verdict {
  /** `METHOD /template`, or undefined when the request is for no documented operation. */
  operation?: string;
  problems: string[];
}

const validators = new Map<string, OpenAPIResponseValidator>();
function validatorFor(key: string, status: string, media: MediaType): OpenAPIResponseValidator {
  let v = validators.get(key);
  if (!v) {
    // The library reads only the first media type of a response and rewrites schemas in place:
    // give it the one schema of this media type, and a private copy of the document's components.
    v = new OpenAPIResponseValidator({
      responses: { [status]: { schema: structuredClone(media.schema) as never } },
      components: structuredClone(spec.components),
      customFormats: { uri: (value: string) => URL.canParse(value) },
    });
    validators.set(key, v);
  }
  return v;
}

const JSON_TYPE = /^application\/(.+\+)?json$/;

function headerProblems(
  name: string,
  schema: Schema | undefined,
  value: string | string[] | number | undefined,
): string[] {
  if (value === undefined || !schema) return [];
  const text = String(value);
  if (schema.type === 'integer' && !/^-?\d+$/.test(text)) return [`${name}: ${text} is no integer`];
  if (schema.pattern && !new RegExp(schema.pattern).test(text)) {
    return [`${name}: ${text} does not match ${schema.pattern}`];
  }
  if (schema.enum && !schema.enum.includes(text)) return [`${name}: ${text} not in enum`];
  return [];
}

export function checkResponse(r: ResponseRecord): Verdict {
  const path = r.path.split('?')[0];
  const route = routes.find((x) => x.regex.test(path));
  const method = r.method.toLowerCase();
  const op = route?.item[method];
  if (!route || !op) return { problems: [] };
  const operation = `${r.method.toUpperCase()} ${route.template}`;
  const statusKey = String(r.status);
  const documented =
    op.responses[statusKey] ??
    op.responses[`${statusKey[0]}XX`] ??
    op.responses.default ??
    undefined;
  if (!documented) {
    return { operation, problems: [`status ${r.status} is not documented for ${operation}`] };
  }
  const problems: string[] = [];
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const value = r.headers[name.toLowerCase()];
    if (header.required && value === undefined) problems.push(`required header ${name} missing`);
    problems.push(...headerProblems(name, header.schema, value));
  }
  const content = documented.content ?? {};
  const hasBody = r.body.length > 0 && method !== 'head';
  const contentType = String(r.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (!hasBody) {
    if (Object.keys(content).length > 0 && method !== 'head') {
      problems.push(`empty body; documented: ${Object.keys(content).join(', ')}`);
    }
    return { operation, problems };
  }
  const media = content[contentType];
  if (!media) {
    const expected = Object.keys(content).join(', ') || 'no body';
    problems.push(`media type ${contentType || '(none)'} not documented (expected ${expected})`);
    return { operation, problems };
  }
  if (!media.schema) return { operation, problems };
  let body: unknown = r.body.toString('utf8');
  if (JSON_TYPE.test(contentType)) {
    try {
      body = JSON.parse(body as string);
    } catch {
      problems.push(`body is not JSON although ${contentType}`);
      return { operation, problems };
    }
  }
  const result = validatorFor(
    `${operation} ${statusKey} ${contentType}`,
    statusKey,
    media,
  ).validateResponse(statusKey, body);
  for (const e of result?.errors ?? []) {
    problems.push(`body${e.path ? `.${e.path}` : ''}: ${e.message}`);
  }
  return { operation, problems };
}

/**
 * Checks a webhook delivery the service sent against the document's `x-webhooks` entry for its event
 * type: every documented header present and matching its schema, a documented media type, and the
 * body valid against the documented body schema (the same validator as for responses).
 */
export function checkWebhookDelivery(
  headers: Record<string, string | string[] | undefined>,
  body: string,
): string[] {
  let event: { type?: unknown };
  try {
    event = JSON.parse(body) as { type?: unknown };
  } catch {
    return ['body is not JSON'];
  }
  const hook = spec['x-webhooks']?.[String(event.type)]?.post;
  if (!hook) return [`event type ${String(event.type)} is not in x-webhooks`];
  const problems: string[] = [];
  const parameters = (spec.components.parameters ?? {}) as Record<string, Parameter>;
  const resolved = hook.parameters.map((x) =>
    '$ref' in x ? parameters[x.$ref.replace('#/components/parameters/', '')] : x,
  );
  for (const p of resolved.filter((x) => x?.in === 'header')) {
    const value = headers[p.name.toLowerCase()];
    if (p.required && value === undefined) problems.push(`required header ${p.name} missing`);
    problems.push(...headerProblems(p.name, p.schema, value));
  }
  const contentType = String(headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  const media = hook.requestBody.content[contentType];
  if (!media) return [...problems, `media type ${contentType || '(none)'} not documented`];
  const result = validatorFor(`webhook ${String(event.type)}`, '200', media).validateResponse(
    '200',
    event,
  );
  for (const e of result?.errors ?? []) {
    problems.push(`body${e.path ? `.${e.path}` : ''}: ${e.message}`);
  }
  return problems;
}

/** What the e2e run saw: counts per (operation, status) and the mismatches of the current test. */
export const recorder = {
  validated: 0,
  notAnOperation: 0,
  reached: new Map<string, number>(),
  pending: [] as string[],
  mismatches: 0,
};

/**
 * Counts one complete response and keeps its mismatches for the current test. Called by the
 * in-process recorder below and by the validating proxy in front of spawned processes.
 */
export function recordResponse(r: ResponseRecord): void {
  const verdict = checkResponse(r);
  if (!verdict.operation) {
    recorder.notAnOperation++;
    return;
  }
  recorder.validated++;
  if (verdict.problems.length === 0) {
    const pair = `${verdict.operation} ${r.status}`;
    recorder.reached.set(pair, (recorder.reached.get(pair) ?? 0) + 1);
    return;
  }
  recorder.mismatches++;
  const preview = r.body.toString('utf8').slice(0, 300);
  recorder.pending.push(
    `${r.method} ${r.path} → ${r.status}: ${verdict.problems.join('; ')}\n    body: ${preview}`,
  );
}

type Chunk = string | Buffer | Uint8Array;
const toBuffer = (chunk: Chunk, encoding?: BufferEncoding) =>
  typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.from(chunk);

/** First middleware of a test app: keeps each response's bytes and checks them when it finishes. */
export function openApiResponseRecorder(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.write = ((chunk: Chunk, ...rest: unknown[]) => {
      if (chunk)
        chunks.push(
          toBuffer(chunk, typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined),
        );
      return write(chunk, ...rest);
    }) as Response['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') {
        chunks.push(
          toBuffer(
            chunk as Chunk,
            typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : undefined,
          ),
        );
      }
      return end(chunk, ...rest);
    }) as Response['end'];
    res.once('finish', () => {
      recordResponse({
        method: req.method,
        path: req.originalUrl,
        status: res.statusCode,
        headers: res.getHeaders(),
        body: Buffer.concat(chunks),
      });
    });
    next();
  };
}
