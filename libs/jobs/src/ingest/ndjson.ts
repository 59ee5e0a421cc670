import type { Readable } from 'node:stream';
import { MAX_JSON_DEPTH } from '@app/common';
import { StringDecoder } from 'node:string_decoder';
import { checkJson } from './json-check';

/** Printable ASCII: nothing `trim()` would remove. */
const isPlain = (c: number) => c > 0x20 && c < 0x7f;

/** `trim()` only where there may be something to trim (most lines have nothing: no new string). */
function trimmed(line: string): string {
  return isPlain(line.charCodeAt(0)) && isPlain(line.charCodeAt(line.length - 1))
    ? line
    : line.trim();
}

/** JSON.parse's own words for what is wrong with an invalid line. */
function parseError(text: string): string {
  try {
    JSON.parse(text);
    return 'unexpected input';
  } catch (e) {
    return (e as Error).message;
  }
}

export const PARSE_ERROR_FIELD = '$parse_error';
const MAX_LINE_CHARS = 1024 * 1024;

/** A line that is not JSON still becomes an item, one that fails on its own in the worker. */
export function parseErrorItem(message: string): Record<string, string> {
  return { [PARSE_ERROR_FIELD]: message };
}

/**
 * An item as the JSON text it came in, stored as sent (nothing is serialised twice). The text is known
 * to be valid; it is parsed only if something asks for the value (the duplicate check).
 */
export class RawJsonItem {
  private parsed?: { value: unknown };

  constructor(readonly json: string) {}

  get value(): unknown {
    this.parsed ??= { value: JSON.parse(this.json) as unknown };
    return this.parsed.value;
  }
}

/**
 * Streams NDJSON items without holding the body: one parsed value per non-empty line, yielded as one
 * batch per incoming piece of the body (a million lines cost a few thousand awaits, not a million).
 */
export async function* ndjsonItems(stream: Readable): AsyncGenerator<unknown[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let line = 0;
  const parse = (text: string): unknown => {
    line++;
    if (text.length > MAX_LINE_CHARS)
      return parseErrorItem(`line ${line} is longer than ${MAX_LINE_CHARS} characters`);
    const check = checkJson(text, MAX_JSON_DEPTH);
    if (check === 'ok') return new RawJsonItem(text);
    if (check === 'too_deep')
      return parseErrorItem(`line ${line} is nested deeper than ${MAX_JSON_DEPTH} levels`);
    return parseErrorItem(`line ${line} is not valid JSON: ${parseError(text)}`);
  };
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer));
    const batch: unknown[] = [];
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const content = trimmed(text.slice(from, nl));
      from = nl + 1;
      if (content) batch.push(parse(content));
      else line++;
    }
    rest = text.slice(from);
    if (rest.length > MAX_LINE_CHARS * 2) {
      rest = '';
      batch.push(parseErrorItem(`line ${line + 1} is longer than ${MAX_LINE_CHARS} characters`));
    }
    if (batch.length) yield batch;
  }
  const last = (rest + decoder.end()).trim();
  if (last) yield [parse(last)];
}
