import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';

const tracer = trace.getTracer('bulk-rest-service');

/**
 * W3C trace context (`traceparent`, and `tracestate` when there is one) as stored with a job and
 * carried in each queue payload, so work done later in any process joins the submitting request's trace.
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** The active span's context as a carrier; null when nothing is traced (tracing off, or unsampled). */
export function currentTraceCarrier(): TraceCarrier | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return null;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent };
}

/** Adds the active trace context's headers (`traceparent`…) to an outgoing request's headers. */
export function injectTraceHeaders(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/** A span opened for a unit of work whose parts run at different times (claim, commit, follow-up). */
export interface TracedWork {
  /** Runs `fn` with the span active (its SQL, Redis calls and log lines belong to it). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Ends the span, recording `error` when the work failed. */
  end(error?: unknown): void;
}

/**
 * Opens a span whose parent is the carried context (the request that submitted the work), not
 * whatever happens to be active in the worker. With tracing off the span is a no-op.
 */
export function startTracedWork(
  name: string,
  carrier: TraceCarrier | null | undefined,
  attributes: Attributes,
): TracedWork {
  const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
  const span: Span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent);
  const active = trace.setSpan(parent, span);
  return {
    run: (fn) => context.with(active, fn),
    end: (error) => {
      if (error !== undefined) {
        const e = error instanceof Error ? error : new Error(JSON.stringify(error));
        span.recordException(e);
        span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
      }
      span.end();
    },
  };
}

/** Runs `fn` in a new span of its own (see `startTracedWork`); errors are recorded and rethrown. */
export async function runInTracedWork<T>(
  name: string,
  carrier: TraceCarrier | null | undefined,
  attributes: Attributes,
  fn: () => Promise<T>,
): Promise<T> {
  const work = startTracedWork(name, carrier, attributes);
  try {
    const result = await work.run(fn);
    work.end();
    return result;
  } catch (e) {
    work.end(e);
    throw e;
  }
}

/** Adds attributes to the active span, if any (what a unit of work learns while it runs). */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** `trace_id` and `span_id` of the active span, merged into every log line written inside it. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && isSpanContextValid(ctx) ? { trace_id: ctx.traceId, span_id: ctx.spanId } : {};
}
