import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parseErrorItem } from './ndjson';

const MAX_FIELD_CHARS = 1024 * 1024;

/**
 * Streams RFC 4180 CSV as objects keyed by the header row (quoted fields, doubled quotes, CRLF and
 * newlines inside quotes). Empty cells are left out, so optional fields stay optional. Yields the
 * records of each incoming piece of the body together, not one await per record.
 */
export async function* csvItems(stream: Readable): AsyncGenerator<unknown[]> {
  const decoder = new StringDecoder('utf8');
  let header: string[] | null = null;
  let record: string[] = [];
  let field = '';
  let inQuotes = false;
  let afterQuote = false;
  let row = 0;
  let first = true;
  let tooLong = false;
  const append = (c: string) => {
    if (field.length < MAX_FIELD_CHARS) field += c;
    else tooLong = true;
  };

  const finishRecord = (): unknown => {
    record.push(field);
    field = '';
    const values = record;
    record = [];
    row++;
    if (tooLong) {
      tooLong = false;
      if (header)
        return parseErrorItem(
          `CSV row ${row} has a field longer than ${MAX_FIELD_CHARS} characters`,
        );
    }
    if (!header) {
      header = values.map((h) => h.trim());
      return undefined;
    }
    if (values.length === 1 && values[0] === '') return undefined; // blank line
    if (values.length !== header.length) {
      return parseErrorItem(
        `CSV row ${row} has ${values.length} fields; the header has ${header.length}`,
      );
    }
    const item: Record<string, string> = {};
    header.forEach((name, i) => {
      if (values[i] !== '') item[name] = values[i];
    });
    return item;
  };

  for await (const chunk of stream) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    if (first) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    const out: unknown[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            append('"');
            i++;
          } else if (i + 1 === text.length) {
            // A quote at the chunk's end: decide on the next chunk.
            inQuotes = false;
            afterQuote = true;
          } else {
            inQuotes = false;
          }
        } else append(c);
        continue;
      }
      if (afterQuote) {
        afterQuote = false;
        if (c === '"') {
          append('"');
          inQuotes = true;
          continue;
        }
      }
      if (c === '"' && field === '') inQuotes = true;
      else if (c === ',') {
        record.push(field);
        field = '';
      } else if (c === '\n') {
        const item = finishRecord();
        if (item !== undefined) out.push(item);
      } else if (c !== '\r') append(c);
    }
    if (out.length) yield out;
  }
  if (field !== '' || record.length) {
    const item = finishRecord();
    if (item !== undefined) yield [item];
  }
}
