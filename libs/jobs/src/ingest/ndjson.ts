import type { Readable } from 'node:stream';
import { MAX_JSON_DEPTH } from '@app/common';
import { StringDecoder } from 'node:string_decoder';
import { checkJson } from './json-check';
import { lineTooLong, type UploadLimits } from './upload-limits';

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
const LF = 0x0a;

/** A line that is not JSON still becomes an item, one that fails on its own in the worker. */
export function parseErrorItem(message: string): Record<string, string> {
  return { [PARSE_ERROR_FIELD]: message };
}

/**
 * An item as the JSON text it came in, stored as sent (nothing is serialised twice). The text is known
 * to be valid; it is parsed only if something asks for the value (the duplicate check).
 */
export class RawJsonItem {
  constructor(readonly json: string) {}

  /**
   * The value, parsed anew on each call: kept, a chunk's parsed values would outlive the young
   * generation and fill the old one while a large upload streams (the one caller asks once).
   */
  get value(): unknown {
    return JSON.parse(this.json) as unknown;
  }
}

/**
 * Byte lengths of the lines that end in `bytes`, the first continuing `carried` bytes from earlier
 * pieces: throws at the first line over `limit`, also one still open at the end. Returns the bytes
 * of the line left open.
 */
function measureLines(bytes: Buffer, carried: number, firstLine: number, limit: number): number {
  let start = -carried;
  let line = firstLine;
  for (let nl = bytes.indexOf(LF); nl >= 0; nl = bytes.indexOf(LF, start)) {
    if (nl - start > limit) throw lineTooLong('NDJSON line', line, limit);
    start = nl + 1;
    line++;
  }
  if (bytes.length - start > limit) throw lineTooLong('NDJSON line', line, limit);
  return bytes.length - start;
}

/**
 * Streams NDJSON items without holding the body: one parsed value per non-empty line, yielded as one
 * batch per incoming piece of the body (a million lines cost a few thousand awaits, not a million).
 * A line longer than `maxLineBytes` refuses the upload as soon as the limit is passed: no more of it
 * is read or held, so a line costs at most the limit plus one piece of the body.
 */
export async function* ndjsonItems(
  stream: Readable,
  { maxLineBytes }: Pick<UploadLimits, 'maxLineBytes'>,
): AsyncGenerator<unknown[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  /** Bytes of `rest` as sent (before decoding). */
  let restBytes = 0;
  let line = 0;
  const parse = (text: string): unknown => {
    line++;
    const check = checkJson(text, MAX_JSON_DEPTH);
    if (check === 'ok') return new RawJsonItem(text);
    if (check === 'too_deep')
      return parseErrorItem(`line ${line} is nested deeper than ${MAX_JSON_DEPTH} levels`);
    return parseErrorItem(`line ${line} is not valid JSON: ${parseError(text)}`);
  };
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    // No line ending in this piece can be longer than the piece and what came before it: lines are
    // measured one by one only when that sum passes the limit.
    if (restBytes + bytes.length > maxLineBytes) {
      restBytes = measureLines(bytes, restBytes, line + 1, maxLineBytes);
    } else {
      const last = bytes.lastIndexOf(LF);
      restBytes = last < 0 ? restBytes + bytes.length : bytes.length - last - 1;
    }
    const text = rest + decoder.write(bytes);
    const batch: unknown[] = [];
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const content = trimmed(text.slice(from, nl));
      from = nl + 1;
      if (content) batch.push(parse(content));
      else line++;
    }
    rest = text.slice(from);
    if (batch.length) yield batch;
  }
  const last = (rest + decoder.end()).trim();
  if (last) yield [parse(last)];
}
