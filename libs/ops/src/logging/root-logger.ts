import {
  destination as pinoDestination,
  pino,
  stdSerializers,
  stdTimeFunctions,
  type DestinationStream,
  type Logger as Pino,
} from 'pino';
import { traceLogFields } from '@app/telemetry';
import { batchedDestination } from './batched-destination';
import { logSettingsFromEnv, type LogSettings } from './log-settings';
import { redactSecrets, REDACTED } from './redaction';
import { requestLogFields } from './request-context';
import { textDestination } from './text-format';

/** Google Cloud Logging's `severity`, which it reads from JSON lines; also easy to grep for. */
const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export interface RootLoggerOptions extends LogSettings {
  /** Added to every line as `name` (`api`, `worker`). */
  name?: string;
  /**
   * Where lines go; by default stdout, written synchronously (nothing is lost on `process.exit`)
   * once per turn of the event loop.
   */
  destination?: DestinationStream;
}

/** A pino logger with this service's conventions: ISO time, level names, secrets redacted. */
export function createRootLogger(options: RootLoggerOptions): Pino {
  const target =
    options.destination ?? batchedDestination(pinoDestination({ dest: 1, sync: true }));
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      timestamp: stdTimeFunctions.isoTime,
      // Lines written while handling a request carry its id; inside a span (a request, a chunk, a
      // webhook delivery) they name it: logs to traces.
      mixin: () => ({ ...requestLogFields(), ...traceLogFields() }),
      formatters: {
        level: (label) => ({ level: label, severity: SEVERITY[label] ?? 'DEFAULT' }),
        log: (object) => redactSecrets(object),
      },
      serializers: { err: stdSerializers.err },
      // Belt and braces for the request serializer, which already drops these.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: REDACTED,
      },
    },
    options.format === 'text' ? textDestination(target) : target,
  );
}

let root: Pino | undefined;

/**
 * The process's one root logger, made on first use from LOG_LEVEL and LOG_FORMAT. Nest's logger,
 * the request logger and everything logged before Nest starts are its children.
 */
export function rootLogger(name?: string): Pino {
  root ??= createRootLogger({ ...logSettingsFromEnv(), name });
  return root;
}
