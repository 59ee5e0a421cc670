import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAPIResponseValidator from 'openapi-response-validator';

/**
 * Checks real responses against the committed openapi.json: the request is for a documented
 * operation, its status is documented for it, the media type is one the status documents (or there
 * is no body where none is documented), every `required` header is present and every documented
 * header matches its schema, and the body matches the schema of its media type
 * (openapi-response-validator, Ajv underneath).
 *
 * A request for no documented operation (an unknown path, or a method the path does not list) is a
 * mismatch too, except for what the service serves outside the document on purpose
 * (OUTSIDE_THE_DOCUMENT) and for answers a test allowed with `allowUndocumented`, because it probes
 * raw HTTP on purpose; such an answer must still be the problem document that the document gives
 * for its status.
 *
 * Every app made by createTestApp records its responses here, and so does every spawned service
 * process a test reaches through test/support/validating-proxy.ts; test/support/openapi-setup.ts
 * fails the test during which a mismatch happened (or the file, when it happened outside a test)
 * and writes the counts for the run's summary.
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
interface Ref {
  $ref: string;
}
interface Header {
  required?: boolean;
  schema?: Schema;
}
interface ResponseObject {
  headers?: Record<string, Header | Ref>;
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
  parameters: (Parameter | Ref)[];
  requestBody: { content: Record<string, MediaType> };
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  'x-webhooks'?: Record<string, { post: WebhookOperation }>;
  components: Record<string, unknown> & { headers?: Record<string, Header> };
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
    // Routed as Express routes it (Nest's default): case-insensitive, with an optional trailing slash.
    regex: new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`,
      'i',
    ),
  }))
  .sort((a, b) => b.literal - a.literal);

/** Every (operation, status) pair the document promises, e.g. `POST /orders 201`. */
export const DOCUMENTED_PAIRS: string[] = routes.flatMap(({ template, item }) =>
  METHODS.filter((m) => item[m]).flatMap((m) =>
    Object.keys(item[m].responses).map((status) => `${m.toUpperCase()} ${template} ${status}`),
  ),
);

interface OutsideRoutes {
  name: string;
  methods: string[];
  path: RegExp;
}

/**
 * What the service serves outside the document on purpose: answers there are counted, not checked.
 * Each entry is one route family with the methods it answers; anything else is a mismatch.
 */
const OUTSIDE_THE_DOCUMENT: OutsideRoutes[] = [
  { name: 'the document itself', methods: ['GET'], path: /^\/openapi\.(json|yaml)$/ },
  { name: 'Swagger UI and its assets', methods: ['GET'], path: /^\/docs(\/.*)?$/ },
  { name: 'the Prometheus scrape', methods: ['GET'], path: /^\/metrics$/ },
  {
    name: 'the queue dashboard (Bull Board; its API takes actions by PUT, POST, PATCH, DELETE)',
    methods: ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'],
    path: /^\/admin\/queues(\/.*)?$/,
  },
];

/** Routes a test-only module adds to the app (never the service's own): counted, not checked. */
export function serveOutsideTheDocument(routes: OutsideRoutes): void {
  OUTSIDE_THE_DOCUMENT.push(routes);
}

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
  /** The OUTSIDE_THE_DOCUMENT entry the request is for. */
  outside?: string;
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
      components: structuredClone(spec.components) as never,
      customFormats: { uri: (value: string) => URL.canParse(value) },
    });
    validators.set(key, v);
  }
  return v;
}

const JSON_TYPE = /^application\/(.+\+)?json$/;

const resolve = <T>(x: T | Ref, section: Record<string, T> | undefined): T | undefined =>
  x && typeof x === 'object' && '$ref' in x ? section?.[x.$ref.split('/').pop() ?? ''] : x;

function headerProblems(
  name: string,
  schema: Schema | undefined,
  value: string | string[] | number | undefined,
): string[] {
  if (value === undefined || !schema) return [];
  const text = String(value);
  if (schema.type === 'integer') {
    if (!/^-?\d+$/.test(text)) return [`${name}: ${text} is no integer`];
    if (schema.minimum !== undefined && Number(text) < schema.minimum) {
      return [`${name}: ${text} is below ${schema.minimum}`];
    }
    if (schema.maximum !== undefined && Number(text) > schema.maximum) {
      return [`${name}: ${text} is above ${schema.maximum}`];
    }
  }
  if (schema.pattern && !new RegExp(schema.pattern).test(text)) {
    return [`${name}: ${text} does not match ${schema.pattern}`];
  }
  if (schema.enum && !schema.enum.includes(text)) return [`${name}: ${text} not in enum`];
  return [];
}

/** Headers, media type and body of one answer against the documented response for its status. */
function responseProblems(
  r: ResponseRecord,
  key: string,
  statusKey: string,
  documented: ResponseObject,
): string[] {
  const problems: string[] = [];
  for (const [name, declared] of Object.entries(documented.headers ?? {})) {
    const header = resolve(declared, spec.components.headers);
    const value = r.headers[name.toLowerCase()];
    if (header?.required && value === undefined) problems.push(`required header ${name} missing`);
    problems.push(...headerProblems(name, header?.schema, value));
  }
  const content = documented.content ?? {};
  const method = r.method.toLowerCase();
  const hasBody = r.body.length > 0 && method !== 'head';
  const contentType = String(r.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (!hasBody) {
    if (Object.keys(content).length > 0 && method !== 'head') {
      problems.push(`empty body; documented: ${Object.keys(content).join(', ')}`);
    }
    return problems;
  }
  const media = content[contentType];
  if (!media) {
    const expected = Object.keys(content).join(', ') || 'no body';
    problems.push(`media type ${contentType || '(none)'} not documented (expected ${expected})`);
    return problems;
  }
  if (!media.schema) return problems;
  let body: unknown = r.body.toString('utf8');
  if (JSON_TYPE.test(contentType)) {
    try {
      body = JSON.parse(body as string);
    } catch {
      problems.push(`body is not JSON although ${contentType}`);
      return problems;
    }
  }
  const result = validatorFor(
    `${key} ${statusKey} ${contentType}`,
    statusKey,
    media,
  ).validateResponse(statusKey, body);
  for (const e of result?.errors ?? []) {
    problems.push(`body${e.path ? `.${e.path}` : ''}: ${e.message}`);
  }
  return problems;
}

function documentedOperation(method: string, path: string) {
  const bare = path.split('?')[0];
  const route = routes.find((x) => x.regex.test(bare));
  const op = route?.item[method.toLowerCase()];
  return route && op ? { template: route.template, op } : undefined;
}

/** `METHOD /template` of the documented operation a request is for, if any. */
export function operationOf(method: string, path: string): string | undefined {
  const found = documentedOperation(method, path);
  return found && `${method.toUpperCase()} ${found.template}`;
}

export function checkResponse(r: ResponseRecord): Verdict {
  const found = documentedOperation(r.method, r.path);
  if (!found) {
    const method = r.method.toUpperCase();
    const bare = r.path.split('?')[0];
    const outside = OUTSIDE_THE_DOCUMENT.find(
      (o) => o.path.test(bare) && o.methods.includes(method),
    );
    if (outside) return { outside: outside.name, problems: [] };
    return { problems: [`${method} ${bare} is no documented operation`] };
  }
  const operation = `${r.method.toUpperCase()} ${found.template}`;
  const statusKey = String(r.status);
  const responses = found.op.responses;
  const documented = responses[statusKey] ?? responses[`${statusKey[0]}XX`] ?? responses.default;
  if (!documented) {
    return { operation, problems: [`status ${r.status} is not documented for ${operation}`] };
  }
  return { operation, problems: responseProblems(r, operation, statusKey, documented) };
}

/**
 * The problem response the document gives for `status` (every operation documenting it gives the
 * same headers and problem schema): what an allowed answer to an undocumented request must match.
 */
function documentedProblem(status: number): ResponseObject | undefined {
  for (const { item } of routes) {
    for (const m of METHODS) {
      const response = item[m]?.responses[String(status)];
      if (response?.content?.['application/problem+json']) return response;
    }
  }
  return undefined;
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
  const parameters = spec.components.parameters as Record<string, Parameter> | undefined;
  const resolved = hook.parameters.map((x) => resolve(x, parameters));
  for (const p of resolved.filter((x) => x?.in === 'header')) {
    const value = headers[p!.name.toLowerCase()];
    if (p!.required && value === undefined) problems.push(`required header ${p!.name} missing`);
    problems.push(...headerProblems(p!.name, p!.schema, value));
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

/** A request the current test sends for no documented operation, on purpose. */
export interface Allowance {
  /** Why: named in the failure when the answer does not fit, and when it is never used. */
  name: string;
  method: string;
  /** The path as sent, without the query. */
  path: string;
  /** What the answer may be; its body must be the problem document given for that status. */
  statuses: readonly number[];
}

const allowances: (Allowance & { used: boolean })[] = [];

/**
 * Lets the current test send one request the document has no operation for (a 404 probe, a method
 * the path does not list): its answer must have one of `statuses` and match the document's problem
 * response for it. Each allowance covers one answer; one never used fails the test.
 */
export function allowUndocumented(allowance: Allowance): void {
  allowances.push({ ...allowance, method: allowance.method.toUpperCase(), used: false });
}

/** Ends the current test's allowances; returns the ones no answer used. */
export function endAllowances(): string[] {
  const unused = allowances.filter((a) => !a.used).map((a) => `${a.method} ${a.path} (${a.name})`);
  allowances.length = 0;
  return unused;
}

function allowedProblems(r: ResponseRecord, a: Allowance): string[] {
  const prefix = `allowed as "${a.name}"`;
  if (!a.statuses.includes(r.status)) {
    return [`${prefix} with status ${a.statuses.join('|')}, answered ${r.status}`];
  }
  const documented = documentedProblem(r.status);
  if (!documented) return [`${prefix}: the document gives no problem response for ${r.status}`];
  const key = `undocumented ${r.status}`;
  return responseProblems(r, key, String(r.status), documented).map((p) => `${prefix}: ${p}`);
}

/** What the e2e run saw: counts per (operation, status) and the mismatches of the current test. */
export const recorder = {
  /** Every response recorded, whatever its verdict. */
  responses: 0,
  validated: 0,
  outside: 0,
  allowed: 0,
  reached: new Map<string, number>(),
  pending: [] as string[],
  mismatches: 0,
};

/**
 * Counts one complete response and keeps its mismatches for the current test. Called by the
 * in-process recorder below and by the validating proxy in front of spawned processes.
 */
export function recordResponse(r: ResponseRecord): void {
  recorder.responses++;
  const verdict = checkResponse(r);
  let problems = verdict.problems;
  if (verdict.outside) {
    recorder.outside++;
    return;
  }
  if (verdict.operation) {
    recorder.validated++;
  } else {
    const bare = r.path.split('?')[0];
    const method = r.method.toUpperCase();
    const allowance = allowances.find((a) => !a.used && a.method === method && a.path === bare);
    if (allowance) {
      allowance.used = true;
      recorder.allowed++;
      problems = allowedProblems(r, allowance);
    }
  }
  if (problems.length === 0) {
    if (verdict.operation) {
      const pair = `${verdict.operation} ${r.status}`;
      recorder.reached.set(pair, (recorder.reached.get(pair) ?? 0) + 1);
    }
    return;
  }
  recorder.mismatches++;
  const preview = r.body.toString('utf8').slice(0, 300);
  recorder.pending.push(
    `${r.method} ${r.path} → ${r.status}: ${problems.join('; ')}\n    body: ${preview}`,
  );
}

/**
 * For tests of the checker itself: runs `fn` with the run's counts and allowances set aside, and
 * returns the mismatches (and unused allowances) it recorded instead of failing the test with them.
 */
export async function recordAside(fn: () => unknown): Promise<string[]> {
  const saved = { ...recorder, reached: new Map(recorder.reached), pending: [...recorder.pending] };
  const outerAllowances = allowances.splice(0);
  recorder.pending.length = 0;
  try {
    await fn();
    return [...recorder.pending.splice(0), ...endAllowances().map((a) => `never used: ${a}`)];
  } finally {
    Object.assign(recorder, saved);
    allowances.splice(0, allowances.length, ...outerAllowances);
  }
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
