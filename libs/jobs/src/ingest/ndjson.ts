import type { Readable } from 'node:stream';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '@app/common';
import { StringDecoder } from 'node:string_decoder';

export const PARSE_ERROR_FIELD = '$parse_error';
const MAX_LINE_CHARS = 1024 * 1024;

/** A line that is not JSON still becomes an item, one that fails on its own in the worker. */
export function parseErrorItem(message: string): Record<string, string> {
  return { [PARSE_ERROR_FIELD]: message };
}

/** A parsed item together with the JSON text it came from, so storing it needs no re-serialisation. */
export class RawJsonItem {
  constructor(
    readonly value: unknown,
    readonly json: string,
  ) {}
}

/** Streams NDJSON items without holding the body: one parsed value per non-empty line. */
export async function* ndjsonItems(stream: Readable): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let line = 0;
  const parse = (text: string): unknown => {
    line++;
    if (text.length > MAX_LINE_CHARS)
      return parseErrorItem(`line ${line} is longer than ${MAX_LINE_CHARS} characters`);
    // Nesting deeper than the limit needs more brackets than a shorter line has.
    if (text.length > MAX_JSON_DEPTH && jsonDepthExceeds(text))
      return parseErrorItem(`line ${line} is nested deeper than ${MAX_JSON_DEPTH} levels`);
    try {
      return new RawJsonItem(JSON.parse(text), text);
    } catch (e) {
      return parseErrorItem(`line ${line} is not valid JSON: ${(e as Error).message}`);
    }
  };
  for await (const chunk of stream) {
    buffer += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (text) yield parse(text);
      else line++;
    }
    if (buffer.length > MAX_LINE_CHARS * 2) {
      buffer = '';
      yield parseErrorItem(`line ${line + 1} is longer than ${MAX_LINE_CHARS} characters`);
    }
  }
  const rest = (buffer + decoder.end()).trim();
  if (rest) yield parse(rest);
}
