import { currentRequestId } from '@app/common';
import { traceLogFields } from '@app/telemetry';
import {
  destination as pinoDestination,
  pino,
  stdSerializers,
  stdTimeFunctions,
  type DestinationStream,
  type Logger as Pino,
} from 'pino';
import pretty from 'pino-pretty';
import { logSettingsFromEnv, type LogFormat, type LogSettings } from './log-settings';

/** Google Cloud Logging's `severity`, which it reads from JSON lines; also easy to grep for. */
const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/**
 * Lines are collected up to this many bytes and written together, asynchronously: under load one
 * write per line was a visible share of a request's CPU (bench/requests).
 */
const WRITE_BYTES = 4096;
/** …and at least this often, so that a quiet process's lines are not held back. */
const FLUSH_MS = 100;

/**
 * `LOG_FORMAT=text`: pino-pretty, one line per entry
 * (`[time] LEVEL (name): [context] message {…}`), for a terminal during development. The fields
 * the message already says are left out.
 */
export const PRETTY_OPTIONS = {
  ignore: 'pid,hostname,severity,context,req,res,responseTime',
  messageFormat: '{if context}[{context}] {end}{msg}',
  singleLine: true,
  translateTime: false,
} as const;

/**
 * Where lines go for `format`: `target` (by default stdout, or a file) buffered and written
 * asynchronously (pino flushes what is left synchronously on exit), or a stream of the caller's
 * (tests); through pino-pretty for `text`.
 */
export function logDestination(
  format: LogFormat,
  target: number | string | DestinationStream = 1,
): DestinationStream {
  const out =
    typeof target === 'object'
      ? target
      : pinoDestination({
          dest: target,
          minLength: WRITE_BYTES,
          periodicFlush: FLUSH_MS,
          sync: false,
        });
  return format === 'text' ? pretty({ ...PRETTY_OPTIONS, destination: out }) : out;
}

/** A line's request id (from the request context) and trace ids (OpenTelemetry), if any. */
function contextFields(): Record<string, string> {
  const reqId = currentRequestId();
  const trace = traceLogFields();
  return reqId === undefined ? trace : { reqId, ...trace };
}

export interface RootLoggerOptions extends LogSettings {
  /** Added to every line as `name` (`api`, `worker`). */
  name?: string;
  /** Where lines go instead of stdout (still rendered by `format`), see `logDestination`. */
  destination?: number | string | DestinationStream;
}

/** A pino logger with this service's conventions: ISO time, level names, request and trace ids. */
export function createRootLogger(options: RootLoggerOptions): Pino {
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      timestamp: stdTimeFunctions.isoTime,
      // Lines written while handling a request carry its id; inside a span (a request, a chunk, a
      // webhook delivery) they name it: logs to traces.
      mixin: contextFields,
      formatters: {
        level: (label) => ({ level: label, severity: SEVERITY[label] ?? 'DEFAULT' }),
      },
      serializers: { err: stdSerializers.err },
    },
    logDestination(options.format, options.destination),
  );
}

let root: Pino | undefined;

/**
 * The process's one root logger, made on first use from LOG_LEVEL and LOG_FORMAT. Nest's logger,
 * the request logger and everything logged before Nest starts write through it.
 */
export function rootLogger(name?: string): Pino {
  root ??= createRootLogger({ ...logSettingsFromEnv(), name });
  return root;
}
