import type { DestinationStream } from 'pino';

/** Fields the text line shows in its fixed parts, or leaves out (the request line names method and URL). */
const SHOWN = new Set([
  'time',
  'level',
  'severity',
  'msg',
  'context',
  'pid',
  'hostname',
  'name',
  'err',
  'req',
  'res',
  'responseTime',
]);

/**
 * One pino JSON line as one human-readable line (`time LEVEL [context] message key=value…`, then the
 * error's stack if any): the `LOG_FORMAT=text` rendering, made for a terminal during development.
 */
export function formatTextLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  const time = typeof entry.time === 'string' ? entry.time : new Date().toISOString();
  const level = str(entry.level ?? 'info')
    .toUpperCase()
    .padEnd(5);
  const context = entry.context === undefined ? '' : `[${str(entry.context)}] `;
  const extras = Object.entries(entry)
    .filter(([k, v]) => !SHOWN.has(k) && v !== undefined)
    .map(([k, v]) => ` ${k}=${str(v)}`)
    .join('');
  let out = `${time} ${level} ${context}${str(entry.msg ?? '')}${extras}\n`;
  const err = entry.err as { stack?: unknown; message?: unknown } | undefined;
  if (err && typeof err.stack === 'string') out += `${err.stack}\n`;
  else if (err && typeof err.message === 'string') out += `${err.message}\n`;
  return out;
}

/** A pino destination that writes text lines to `target`. */
export function textDestination(target: DestinationStream): DestinationStream {
  return { write: (line: string) => target.write(formatTextLine(line)) };
}
