import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parseErrorItem } from './ndjson';
import { lineTooLong, tooManyFields, type UploadLimits } from './upload-limits';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Streams RFC 4180 CSV as objects keyed by the header row (quoted fields, doubled quotes, CRLF and
 * newlines inside quotes). Empty cells are left out, so optional fields stay optional. Yields the
 * records of each incoming piece of the body together, not one await per record.
 *
 * A row longer than `maxLineBytes` (its UTF-8 bytes, quoted newlines included) or with more than
 * `maxCsvFields` fields refuses the upload the moment the limit is passed, so one row never holds
 * more than the limits' worth of text and fields.
 */
export async function* csvItems(
  stream: Readable,
  { maxLineBytes, maxCsvFields }: UploadLimits,
): AsyncGenerator<unknown[]> {
  const decoder = new StringDecoder('utf8');
  let header: string[] | null = null;
  let record: string[] = [];
  let field = '';
  let inQuotes = false;
  let afterQuote = false;
  let row = 0;
  let rowBytes = 0;
  let first = true;

  const finishRecord = (): unknown => {
    record.push(field);
    field = '';
    const values = record;
    record = [];
    row++;
    rowBytes = 0;
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
    // Text is added to `field` a run at a time: `seg` is where the run not yet added starts.
    let seg = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === LF && !inQuotes) {
        field += text.slice(seg, i);
        seg = i + 1;
        afterQuote = false;
        const item = finishRecord();
        if (item !== undefined) out.push(item);
        continue;
      }
      // UTF-8 bytes of the character: a surrogate pair is two halves of 2.
      rowBytes += c < 0x80 ? 1 : c < 0x800 || (c & 0xf800) === 0xd800 ? 2 : 3;
      if (rowBytes > maxLineBytes) throw lineTooLong('CSV row', row + 1, maxLineBytes);
      if (inQuotes) {
        if (c !== QUOTE) continue;
        field += text.slice(seg, i);
        seg = i + 1;
        if (i + 1 === text.length) {
          // A quote at the piece's end: decide on the next piece.
          inQuotes = false;
          afterQuote = true;
        } else if (text.charCodeAt(i + 1) === QUOTE) {
          field += '"';
          i++;
          seg = i + 1;
          if (++rowBytes > maxLineBytes) throw lineTooLong('CSV row', row + 1, maxLineBytes);
        } else {
          inQuotes = false;
        }
        continue;
      }
      if (afterQuote) {
        afterQuote = false;
        if (c === QUOTE) {
          field += '"';
          seg = i + 1;
          inQuotes = true;
          continue;
        }
      }
      if (c === QUOTE) {
        if (field === '' && seg === i) {
          inQuotes = true;
          seg = i + 1;
        }
      } else if (c === COMMA) {
        // The comma opens field number record.length + 2 of this row.
        if (record.length + 2 > maxCsvFields) throw tooManyFields(row + 1, maxCsvFields);
        record.push(field + text.slice(seg, i));
        field = '';
        seg = i + 1;
      } else if (c === CR) {
        field += text.slice(seg, i);
        seg = i + 1;
      }
    }
    field += text.slice(seg);
    if (out.length) yield out;
  }
  if (field !== '' || record.length) {
    const item = finishRecord();
    if (item !== undefined) yield [item];
  }
}
