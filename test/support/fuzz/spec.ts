/**
 * The served OpenAPI document as far as the fuzz run needs it: every operation with its query
 * parameters, header parameters, request media types and JSON body fields.
 */

export const ORDER_STATUSES = ['pending', 'paid', 'cancelled', 'shipped', 'delivered'] as const;
export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const;
export const ITEM_STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
export const EVENT_TYPES = ['bulk_job.completed', 'bulk_job.failed', 'bulk_job.cancelled'] as const;
export const OPERATIONS = ['update_orders_status', 'create_orders'] as const;
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY'] as const;
export const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
export type Method = (typeof METHODS)[number];

interface Schema {
  type?: string;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
}
interface SpecParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface SpecOperation {
  operationId: string;
  parameters?: SpecParameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}
export interface SpecDocument {
  paths: Record<string, Partial<Record<Method, SpecOperation>>>;
  components?: { schemas?: Record<string, Schema> };
  security?: unknown[];
}

export type ValueKind =
  'limit' | 'cursor' | 'enum' | 'string' | 'operation' | 'url' | 'bool' | 'int';
export type FieldKind = ValueKind | 'currency' | 'items' | 'amount';
export interface QueryParam {
  name: string;
  kind: ValueKind;
  values?: readonly string[];
}
export interface Field {
  name: string;
  kind: FieldKind;
  required: boolean;
  values?: readonly string[];
}
export interface Op {
  method: Method;
  path: string;
  operationId: string;
  secured: boolean;
  query: QueryParam[];
  headers: string[];
  bodyTypes: string[];
  fields: Field[];
}

/**
 * Query parameters and DTO properties that the spec served by the tests lacks (the Swagger CLI
 * plugin only runs in `nest build`); the spec's own entries win where present.
 */
const PAGE: QueryParam[] = [
  { name: 'limit', kind: 'limit' },
  { name: 'cursor', kind: 'cursor' },
];
const QUERY_FALLBACK: Record<string, QueryParam[]> = {
  listOrders: [
    ...PAGE,
    { name: 'status', kind: 'enum', values: ORDER_STATUSES },
    { name: 'customer_id', kind: 'string' },
  ],
  listBulkJobs: [
    ...PAGE,
    { name: 'status', kind: 'enum', values: JOB_STATUSES },
    { name: 'operation', kind: 'operation' },
  ],
  listBulkJobItems: [...PAGE, { name: 'status', kind: 'enum', values: ITEM_STATUSES }],
  listEvents: [...PAGE, { name: 'type', kind: 'enum', values: EVENT_TYPES }],
  createBulkJob: [
    { name: 'operation', kind: 'operation' },
    { name: 'webhook_url', kind: 'url' },
    { name: 'atomic', kind: 'bool' },
  ],
};
const BODY_FALLBACK: Record<string, Field[]> = {
  CreateOrderDto: [
    { name: 'customer_id', kind: 'string', required: true },
    { name: 'amount', kind: 'amount', required: true },
    { name: 'currency', kind: 'currency', required: true },
    { name: 'status', kind: 'enum', required: false, values: ORDER_STATUSES },
  ],
  UpdateOrderDto: [{ name: 'status', kind: 'enum', required: true, values: ORDER_STATUSES }],
  CreateBulkJobDto: [
    { name: 'operation', kind: 'operation', required: true },
    { name: 'items', kind: 'items', required: true },
    { name: 'webhook_url', kind: 'url', required: false },
    { name: 'atomic', kind: 'bool', required: false },
  ],
};

function kindOf(name: string, schema: Schema = {}): ValueKind {
  if (name === 'limit') return 'limit';
  if (name === 'cursor') return 'cursor';
  if (name === 'operation') return 'operation';
  if (schema.enum) return 'enum';
  if (schema.type === 'integer' || schema.type === 'number') return 'int';
  if (schema.type === 'boolean') return 'bool';
  if (schema.format === 'uri' || name.endsWith('url')) return 'url';
  return 'string';
}

function fieldsOf(doc: SpecDocument, schema: Schema | undefined): Field[] {
  const name = schema?.$ref?.split('/').pop();
  const resolved = name ? doc.components?.schemas?.[name] : schema;
  const props = Object.entries(resolved?.properties ?? {});
  if (props.length === 0) return name ? (BODY_FALLBACK[name] ?? []) : [];
  const required = new Set(resolved?.required ?? []);
  return props.map(([prop, s]): Field => {
    const fallback = name ? BODY_FALLBACK[name]?.find((f) => f.name === prop) : undefined;
    if (fallback) return { ...fallback, required: required.has(prop) };
    const kind: FieldKind = s.type === 'array' ? 'items' : kindOf(prop, s);
    return { name: prop, kind, required: required.has(prop), values: s.enum?.map(String) };
  });
}

export function operationsOf(doc: SpecDocument): Op[] {
  const ops: Op[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = op.parameters ?? [];
      const query: QueryParam[] = params
        .filter((p) => p.in === 'query')
        .map((p) => ({
          name: p.name,
          kind: kindOf(p.name, p.schema),
          values: p.schema?.enum?.map(String),
        }));
      for (const q of QUERY_FALLBACK[op.operationId] ?? [])
        if (!query.some((p) => p.name === q.name)) query.push(q);
      const content = op.requestBody?.content ?? {};
      ops.push({
        method,
        path,
        operationId: op.operationId,
        secured: (op.security ?? doc.security ?? []).length > 0,
        query,
        headers: params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()),
        bodyTypes: Object.keys(content),
        fields: fieldsOf(doc, content['application/json']?.schema),
      });
    }
  }
  return ops;
}
