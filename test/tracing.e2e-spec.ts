import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, queryOnce, type TestDatabase } from './support/database';
import {
  SpanKindNo,
  startHookReceiver,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from './support/otlp-receiver';
import { startPrivateRedis, type Proc } from './support/processes';
import { startService } from './support/service';
import { eventually } from './support/wait';

/** Exports and deliveries arrive in their own time: wait long, look often. */
const waitFor = <T>(what: string, check: () => T) => eventually(what, check, 90_000, 100);

const AUTH = { Authorization: 'Bearer key_trace' };
const ITEMS = 5;
const CHUNK_SIZE = 2;

/** The OTel variables this suite sets; anything the caller's environment has is dropped first. */
const otelFree = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));

/**
 * Traces of the built service as real processes: an API (no workers) and a separate worker process,
 * both exporting OTLP/HTTP (http/json) to a receiver inside this test.
 */
// Real processes started and stopped: generous, since the machine may be shared.
describe('OpenTelemetry traces', { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  const procs: { name: string; proc: Proc }[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('tracing');
    redis = await startPrivateRedis();
  });

  afterAll(async () => {
    // Last in, first out: the processes stop before the receivers they export to.
    for (const close of closers.reverse()) await close();
    await redis?.stop();
    await db?.drop();
  });

  const baseEnv = (prefix: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({
    ...otelFree(),
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    API_KEYS: 'trace:key_trace',
    CURSOR_SECRET: 'tracing-secret',
    BULL_PREFIX: prefix,
    NODE_ENV: 'test',
    LOG_LEVEL: 'log',
    LOG_FORMAT: 'json',
    BULK_CHUNK_SIZE: String(CHUNK_SIZE),
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    ...extra,
  });

  /** The API (and a worker process unless `worker: false`) behind a validating proxy; traceparent passes it unchanged. */
  const launch = async (name: string, env: NodeJS.ProcessEnv, worker = true) => {
    const svc = await startService(env, { worker });
    closers.push(() => svc.stop());
    procs.push({ name, proc: svc.api });
    if (svc.worker) procs.push({ name: `${name} worker`, proc: svc.worker });
    return svc;
  };

  const withLogs = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      for (const { name, proc } of procs)
        console.error(`----- ${name} -----\n${proc.output().slice(-5000)}`);
      throw e;
    }
  };

  const submit = (base: string, webhookUrl: string, traceparent: string) =>
    fetch(`${base}/bulk-jobs`, {
      method: 'POST',
      headers: { ...AUTH, 'content-type': 'application/json', traceparent },
      body: JSON.stringify({
        operation: 'create_orders',
        webhook_url: webhookUrl,
        items: Array.from({ length: ITEMS }, (_, i) => ({
          customer_id: `cus_trace_${i}`,
          amount: 100 + i,
          currency: 'EUR',
        })),
      }),
      signal: AbortSignal.timeout(30_000),
    });

  const storedTraceContext = async (jobId: string): Promise<{ traceparent: string } | null> => {
    const [row] = await queryOnce<{ trace_context: { traceparent: string } | null }>(
      db.url,
      'SELECT trace_context FROM bulk_jobs WHERE id = $1',
      [jobId],
    );
    return row.trace_context;
  };

  const isHttp = (s: ReceivedSpan) => s.scope === '@opentelemetry/instrumentation-http';
  const dbSystem = (s: ReceivedSpan) => s.attributes['db.system.name'] ?? s.attributes['db.system'];
  const statement = (s: ReceivedSpan): string => {
    const text = s.attributes['db.query.text'] ?? s.attributes['db.statement'];
    return typeof text === 'string' ? text : '';
  };

  it('follows a bulk job from the request through every chunk in a worker process to its webhook', async () => {
    const otlp: OtlpReceiver = await startOtlpReceiver();
    closers.push(() => otlp.close());
    const hooks = await startHookReceiver();
    closers.push(() => hooks.close());
    const otel = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    };
    const prefix = `trace_${randomBytes(4).toString('hex')}`;
    const svc = await launch('api', baseEnv(prefix, otel));
    const { api } = svc;
    const worker = svc.worker!;
    await withLogs(async () => {
      expect(api.output()).toMatch(/OpenTelemetry tracing on: exporter otlp \(http\/json\)/);
      expect(worker.output()).toMatch(/OpenTelemetry tracing on/);

      const traceId = randomBytes(16).toString('hex');
      const clientSpanId = randomBytes(8).toString('hex');
      const res = await submit(svc.base, hooks.url, `00-${traceId}-${clientSpanId}-01`);
      const job = (await res.json()) as { id: string };
      expect(res.status, JSON.stringify(job)).toBe(202);

      const hook = await waitFor('the webhook', () => hooks.received[0]);
      const inTrace = () => otlp.spans.filter((s) => s.traceId === traceId);
      const chunkSpans = () => inTrace().filter((s) => s.name === 'bulk_job.chunk');
      const chunks = ITEMS / CHUNK_SIZE;
      await waitFor(
        'chunk and delivery spans',
        () =>
          chunkSpans().length >= Math.ceil(chunks) &&
          inTrace().some((s) => s.name === 'webhook.deliver') &&
          inTrace().some((s) => isHttp(s) && s.kind === SpanKindNo.Client),
      );
      const spans = inTrace();
      const byId = new Map(spans.map((s) => [s.spanId, s]));

      // The API's HTTP server span continues the client's trace.
      const server = spans.find(
        (s) => s.kind === SpanKindNo.Server && s.parentSpanId === clientSpanId,
      );
      expect(server, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
      expect(server!.service).toBe('bulk-rest-api');
      expect(server!.attributes['http.request.method'] ?? server!.attributes['http.method']).toBe(
        'POST',
      );
      expect(server!.attributes['http.route']).toBe('/bulk-jobs');
      // Express's middleware and handler spans sit under it.
      expect(
        spans.filter((s) => s.scope.includes('express') && s.service === 'bulk-rest-api').length,
      ).toBeGreaterThan(0);

      // SQL and Redis calls of the request: the job's INSERT, and the chunks' enqueue after commit.
      const apiSql = spans.filter(
        (s) => s.service === 'bulk-rest-api' && dbSystem(s) === 'postgresql',
      );
      expect(apiSql.some((s) => statement(s).includes('INSERT INTO bulk_jobs'))).toBe(true);
      const apiRedis = spans.filter(
        (s) => s.service === 'bulk-rest-api' && dbSystem(s) === 'redis',
      );
      expect(apiRedis.length).toBeGreaterThan(0);

      // The stored context names the API span that submitted the job; every chunk span is its child.
      const stored = await storedTraceContext(job.id);
      expect(stored?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      const submitSpanId = stored!.traceparent.split('-')[2];
      expect(byId.get(submitSpanId)?.service).toBe('bulk-rest-api');

      const chunkList = chunkSpans().sort(
        (a, b) => Number(a.attributes['bulk_job.chunk']) - Number(b.attributes['bulk_job.chunk']),
      );
      expect(chunkList.map((s) => s.attributes['bulk_job.chunk'])).toEqual([0, 1, 2]);
      for (const s of chunkList) {
        expect(s.service).toBe('bulk-rest-worker');
        expect(s.kind).toBe(SpanKindNo.Consumer);
        expect(s.parentSpanId).toBe(submitSpanId);
        expect(s.attributes['bulk_job.id']).toBe(job.id);
        expect(s.attributes['bulk_job.operation']).toBe('create_orders');
        expect(s.attributes['bulk_job.failed']).toBe(0);
      }
      expect(chunkList.map((s) => s.attributes['bulk_job.items'])).toEqual([2, 2, 1]);
      expect(chunkList.map((s) => s.attributes['bulk_job.succeeded'])).toEqual([2, 2, 1]);

      // Each chunk's SQL runs inside its span, in the worker.
      const chunkIds = new Set(chunkList.map((s) => s.spanId));
      const workerSql = spans.filter(
        (s) => s.service === 'bulk-rest-worker' && dbSystem(s) === 'postgresql',
      );
      for (const id of chunkIds) {
        expect(workerSql.filter((s) => s.parentSpanId === id).length).toBeGreaterThan(0);
      }
      expect(workerSql.some((s) => statement(s).includes('INSERT INTO orders'))).toBe(true);

      // The delivery span's parent is the chunk that completed the job; its HTTP request carries
      // the trace to the receiver.
      const deliver = spans.find((s) => s.name === 'webhook.deliver')!;
      expect(chunkIds.has(deliver.parentSpanId)).toBe(true);
      expect(deliver.attributes['webhook.result']).toBe('delivered');
      expect(deliver.attributes['webhook.attempt']).toBe(1);
      const post = spans.find(
        (s) => isHttp(s) && s.kind === SpanKindNo.Client && s.parentSpanId === deliver.spanId,
      );
      expect(post).toBeDefined();
      expect(
        post!.attributes['http.response.status_code'] ?? post!.attributes['http.status_code'],
      ).toBe(204);
      expect(hook.headers.traceparent).toBe(`00-${traceId}-${post!.spanId}-01`);
      // The job's webhook enqueue (Redis) ran inside the completing chunk's span.
      expect(
        spans.some(
          (s) =>
            s.service === 'bulk-rest-worker' &&
            dbSystem(s) === 'redis' &&
            chunkIds.has(s.parentSpanId),
        ),
      ).toBe(true);

      // Log lines written inside a span name it.
      const lines = (proc: Proc) =>
        proc
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const apiLine = lines(api).find((l) => l.trace_id === traceId);
      expect(apiLine, api.output().slice(-3000)).toBeDefined();
      expect(byId.has(String(apiLine!.span_id))).toBe(true);
      const workerLine = lines(worker).find((l) => String(l.msg).includes('delivered'));
      expect(workerLine, worker.output().slice(-3000)).toMatchObject({
        trace_id: traceId,
        span_id: deliver.spanId,
      });
    });
  });
  /** An API process that also runs the workers: one job, to completion, with a client traceparent. */
  const runJobInOneProcess = async (name: string, otel: NodeJS.ProcessEnv) => {
    const hooks = await startHookReceiver();
    closers.push(() => hooks.close());
    const prefix = `trace_${randomBytes(4).toString('hex')}`;
    // Workers inside the API.
    const { api, base } = await launch(name, baseEnv(prefix, otel), false);
    const traceId = randomBytes(16).toString('hex');
    const res = await submit(base, hooks.url, `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
    const job = (await res.json()) as { id: string };
    expect(res.status, JSON.stringify(job)).toBe(202);
    await waitFor('the webhook', () => hooks.received[0]);
    const done = await fetch(`${base}/bulk-jobs/${job.id}`, { headers: AUTH });
    expect(((await done.json()) as { status: string }).status).toBe('completed');
    return { api, job, traceId, hook: hooks.received[0] };
  };

  it('is off unless an exporter is configured: no SDK, no trace context stored, no trace ids logged', async () => {
    // Only variables that name no exporter: the SDK would default to localhost:4318; here nothing starts.
    const { api, job, hook } = await runJobInOneProcess('api (no exporter)', {
      OTEL_SERVICE_NAME: 'bulk-rest-untraced',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    await withLogs(async () => {
      expect(api.output()).toMatch(/OpenTelemetry tracing off \(no OTEL_TRACES_EXPORTER/);
      expect(await storedTraceContext(job.id)).toBeNull();
      expect(api.output()).not.toMatch(/"trace_id"/);
      expect(hook.headers.traceparent).toBeUndefined();
    });
  });

  it('sends nothing with OTEL_SDK_DISABLED=true, even with an exporter and endpoint set', async () => {
    const otlp = await startOtlpReceiver();
    closers.push(() => otlp.close());
    const { api, job } = await runJobInOneProcess('api (disabled)', {
      OTEL_SDK_DISABLED: 'true',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    await withLogs(async () => {
      expect(api.output()).toMatch(/OpenTelemetry tracing off \(OTEL_SDK_DISABLED=true\)/);
      expect(await storedTraceContext(job.id)).toBeNull();
      // Ten export intervals after a whole job: an SDK that had started would have sent by now.
      await new Promise((r) => setTimeout(r, 1000));
      expect(otlp.requests).toEqual([]);
    });
  });

  it('exports with OTLP http/protobuf as well', async () => {
    const otlp = await startOtlpReceiver();
    closers.push(() => otlp.close());
    const { traceId } = await runJobInOneProcess('api (protobuf)', {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
    });
    // Protobuf carries trace ids as 16 raw bytes: find the client's among the exported spans.
    const id = Buffer.from(traceId, 'hex');
    const hit = await waitFor('a protobuf export with the trace id', () =>
      otlp.requests.find((r) => r.path === '/v1/traces' && r.body.includes(id)),
    );
    expect(hit.contentType).toBe('application/x-protobuf');
    expect(otlp.spans).toEqual([]); // nothing arrived as JSON
  });
});
