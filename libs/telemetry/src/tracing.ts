import { samplerNeverRecords, tracingEnabled, validateEnv } from '@app/common';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';

type SdkNode = typeof import('@opentelemetry/sdk-node');
type Http = typeof import('@opentelemetry/instrumentation-http');
type Express = typeof import('@opentelemetry/instrumentation-express');
type Pg = typeof import('@opentelemetry/instrumentation-pg');
type IORedis = typeof import('@opentelemetry/instrumentation-ioredis');

export type ProcessRole = 'api' | 'worker';

/** Probes and scrapes would be most of the traces and tell nothing about the work. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|$|\?)/;

let sdk: { shutdown(): Promise<void> } | undefined;
let status = 'OpenTelemetry tracing off (no OTEL_TRACES_EXPORTER or OTLP endpoint configured)';

/**
 * Starts the OpenTelemetry SDK when the validated OTEL_* configuration asks for an exporter; must run
 * before http, express, pg and ioredis are first required (each app's `instrument.ts`, imported first).
 * Exporter, protocol, endpoint, sampler, service name and batching all come from the standard OTEL_*
 * variables, read by the SDK itself. An invalid configuration leaves tracing off: start-up then stops
 * on it with a message naming the variable.
 */
export function startTracing(role: ProcessRole, env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk) return true;
  let config: ReturnType<typeof validateEnv>;
  try {
    config = validateEnv(env);
  } catch {
    return false;
  }
  if (!tracingEnabled(config)) {
    if (config.OTEL_SDK_DISABLED) status = 'OpenTelemetry tracing off (OTEL_SDK_DISABLED=true)';
    return false;
  }
  if (samplerNeverRecords(config)) {
    // Instrumentations patch modules as soon as they are constructed: not loading them is the
    // only way a sampler that records nothing also costs nothing.
    status =
      `OpenTelemetry tracing off (OTEL_TRACES_SAMPLER=${config.OTEL_TRACES_SAMPLER}` +
      `${config.OTEL_TRACES_SAMPLER === 'traceidratio' ? ' at 0' : ''} records nothing: no instrumentation loaded)`;
    return false;
  }
  // Required only now: the SDK with its exporters (gRPC and protobuf included) takes a second or
  // more to load, which a process that does not trace should not pay at every start.
  const load = createRequire(__filename);
  const { NodeSDK } = load('@opentelemetry/sdk-node') as SdkNode;
  const { HttpInstrumentation } = load('@opentelemetry/instrumentation-http') as Http;
  const { ExpressInstrumentation, ExpressLayerType } = load(
    '@opentelemetry/instrumentation-express',
  ) as Express;
  const { PgInstrumentation } = load('@opentelemetry/instrumentation-pg') as Pg;
  const { IORedisInstrumentation } = load('@opentelemetry/instrumentation-ioredis') as IORedis;
  const node = new NodeSDK({
    // The role tells API and worker apart when both share one OTEL_SERVICE_NAME.
    ...(config.OTEL_SERVICE_NAME ? {} : { serviceName: `bulk-rest-${role}` }),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
      }),
      // Routers and handlers only: a span per middleware (a dozen per request) costs CPU on every
      // request, sampled or not, and tells nothing the server span's timing does not.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      // Bull polls Redis and the reconciler reads Postgres all the time: only calls made inside a
      // traced request, chunk or delivery are worth a span.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  node.start();
  sdk = node;
  const exporter = config.OTEL_TRACES_EXPORTER ?? 'otlp';
  const protocol = config.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  const endpoint =
    config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    config.OTEL_EXPORTER_OTLP_ENDPOINT ??
    'the default endpoint (localhost:4318)';
  status =
    `OpenTelemetry tracing on: exporter ${exporter}` +
    (exporter.includes('otlp') ? ` (${protocol}) to ${endpoint}` : '') +
    `, sampler ${config.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on'}`;
  return true;
}

/** One line for the start-up log: whether tracing runs, and where spans go. */
export function tracingStatus(): string {
  return status;
}

/** A collector that is down must not hold up a shutdown (the exporter retries with backoff). */
const FLUSH_TIMEOUT_MS = 5_000;

/** Exports the spans still buffered, for at most 5 s; part of the shutdown sequence. */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (!running) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    running.shutdown().catch(() => undefined),
    new Promise<void>((ok) => (timer = setTimeout(ok, FLUSH_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
}
