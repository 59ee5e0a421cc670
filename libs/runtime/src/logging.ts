import type { LogLevel } from '@nestjs/common';
import { validateEnv } from '@app/common';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest log levels at and above `LOG_LEVEL`. */
export function logLevels(level = validateEnv(process.env).LOG_LEVEL): LogLevel[] {
  return ORDER.slice(0, ORDER.indexOf(level) + 1);
}
