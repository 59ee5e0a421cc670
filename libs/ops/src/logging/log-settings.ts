import { effectiveLogFormat, validateEnv, type EnvironmentVariables } from '@app/common';
import type { Level } from 'pino';

export type NestLogLevel = EnvironmentVariables['LOG_LEVEL'];
export type LogFormat = 'json' | 'text';

/** Nest's level names (LOG_LEVEL) as pino levels: `log` is `info`, `verbose` is `trace`. */
export const PINO_LEVEL: Record<NestLogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export interface LogSettings {
  level: Level;
  format: LogFormat;
}

const isNestLevel = (v: unknown): v is NestLogLevel =>
  typeof v === 'string' && Object.hasOwn(PINO_LEVEL, v);

/**
 * LOG_LEVEL and LOG_FORMAT from the environment. Tolerant on purpose: the logger must exist before
 * the configuration is known to be valid, so that "Invalid configuration" is itself logged; each
 * variable that is valid on its own is honoured, anything else falls back to its default.
 */
export function logSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LogSettings {
  try {
    const e = validateEnv(env);
    return { level: PINO_LEVEL[e.LOG_LEVEL], format: effectiveLogFormat(e) };
  } catch {
    const nodeEnv = ['production', 'test'].includes(env.NODE_ENV ?? '')
      ? (env.NODE_ENV as 'production' | 'test')
      : 'development';
    const format =
      env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'text' ? env.LOG_FORMAT : undefined;
    return {
      level: PINO_LEVEL[isNestLevel(env.LOG_LEVEL) ? env.LOG_LEVEL : 'log'],
      format: effectiveLogFormat({ NODE_ENV: nodeEnv, LOG_FORMAT: format }),
    };
  }
}
