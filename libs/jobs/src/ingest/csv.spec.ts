import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JobError } from '../domain/jobs.errors';
import { csvItems } from './csv';
import { PARSE_ERROR_FIELD } from './ndjson';

const LIMITS = { maxLineBytes: 1024 * 1024, maxCsvFields: 1000 };

async function collect(pieces: string[], limits = LIMITS): Promise<unknown[][]> {
  const batches: unknown[][] = [];
  for await (const batch of csvItems(Readable.from(pieces.map((t) => Buffer.from(t))), limits))
    batches.push(batch);
  return batches;
}

/** The error the upload ends with, and the items it yielded before. */
async function refused(source: Iterable<Buffer> | AsyncIterable<Buffer>, limits = LIMITS) {
  const items: unknown[] = [];
  try {
    for await (const batch of csvItems(Readable.from(source), limits)) items.push(...batch);
  } catch (e) {
    return { error: e as JobError, items };
  }
  throw new Error(`not refused; items: ${JSON.stringify(items)}`);
}

describe('csvItems', () => {
  it('yields the records of each piece together, quoted newlines included', async () => {
    const batches = await collect(['id,ref\n1,"a\nb"\n2,', 'c\n3,d']);
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1]);
    expect(batches.flat()).toEqual([
      { id: '1', ref: 'a\nb' },
      { id: '2', ref: 'c' },
      { id: '3', ref: 'd' },
    ]);
  });

  it('reads quotes, doubled quotes, CRLF, a BOM and empty cells, wherever the pieces split', async () => {
    const text =
      '\uFEFFid,ref,note\r\n' +
      '1,"a ""quoted"", b",x\r\n' +
      '2,,"multi\r\nline"\r\n' +
      '3,plain"quote,\r\n' +
      '"4","",""""\r\n' +
      '\r\n' +
      '5,"é😀",last';
    const expected = [
      { id: '1', ref: 'a "quoted", b', note: 'x' },
      { id: '2', note: 'multi\r\nline' },
      { id: '3', ref: 'plain"quote' },
      { id: '4', note: '"' },
      { id: '5', ref: 'é😀', note: 'last' },
    ];
    expect((await collect([text])).flat()).toEqual(expected);
    // Every split of the body into two pieces (bytes, so also inside a character) reads the same.
    const bytes = Buffer.from(text);
    for (let at = 1; at < bytes.length; at++) {
      const items: unknown[] = [];
      const pieces = [bytes.subarray(0, at), bytes.subarray(at)];
      for await (const batch of csvItems(Readable.from(pieces), LIMITS)) items.push(...batch);
      expect(items, `split at byte ${at}`).toEqual(expected);
    }
  });

  it('turns a row with the wrong number of fields into an item that fails on its own', async () => {
    const items = (await collect(['a,b\n1,2,3\n4,5\n'])).flat();
    expect(items).toEqual([
      { [PARSE_ERROR_FIELD]: 'CSV row 2 has 3 fields; the header has 2' },
      { a: '4', b: '5' },
    ]);
  });

  describe('BULK_MAX_LINE_BYTES and BULK_MAX_CSV_FIELDS', () => {
    it('takes a row of exactly the field limit and refuses the upload at one field more', async () => {
      const limits = { maxLineBytes: 1024, maxCsvFields: 3 };
      expect((await collect(['a,b,c\n1,2,3\n'], limits)).flat()).toEqual([
        { a: '1', b: '2', c: '3' },
      ]);
      const { error, items } = await refused(
        [Buffer.from('a,b,c\n1,2,3\n4,5,6,7\n8,9,0\n')],
        limits,
      );
      expect(error).toBeInstanceOf(JobError);
      expect(error.status).toBe(413);
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toBe(
        'CSV row 3 has more than 3 fields (BULK_MAX_CSV_FIELDS); nothing was stored',
      );
      expect(items).toEqual([]);
      // The header row counts too.
      const header = await refused([Buffer.from('a,b,c,d\n')], limits);
      expect(header.error.message).toMatch(/^CSV row 1 has more than 3 fields/);
    });

    it('counts a row in UTF-8 bytes, quoted newlines and CR included, its final newline not', async () => {
      // "é" is 2 bytes: the row `1,"é\nééé"\r` is 14 bytes and 10 characters.
      const row = '1,"é\nééé"\r';
      expect(Buffer.byteLength(row)).toBe(14);
      const limits = (maxLineBytes: number) => ({ maxLineBytes, maxCsvFields: 10 });
      expect((await collect([`a,b\n${row}\n`], limits(14))).flat()).toEqual([
        { a: '1', b: 'é\nééé' },
      ]);
      const { error } = await refused([Buffer.from(`a,b\n${row}\n`)], limits(13));
      expect(error.message).toBe(
        'CSV row 2 is longer than 13 bytes (BULK_MAX_LINE_BYTES); nothing was stored',
      );
      // Doubled quotes count both quotes.
      const quoted = `"${'""'.repeat(40)}"`;
      const q = await refused([Buffer.from(`a\n${quoted}\n`)], limits(64));
      expect(q.error.message).toMatch(/^CSV row 2 is longer than 64 bytes/);
    });

    it('stops reading a row of commas at the field limit, and an endless field at the byte limit', async () => {
      let pulled = 0;
      function* endless(fill: number) {
        yield Buffer.from('id,status\n');
        for (;;) {
          pulled++;
          yield Buffer.alloc(64 * 1024, fill);
        }
      }
      const commas = await refused(endless(0x2c), { maxLineBytes: 1 << 30, maxCsvFields: 1000 });
      expect(commas.error.message).toMatch(/^CSV row 2 has more than 1000 fields/);
      // Refused within the first piece (Readable.from reads at most 16 pieces ahead).
      expect(pulled).toBeLessThanOrEqual(1 + 16);
      pulled = 0;
      const long = await refused(endless(0x61), { maxLineBytes: 1 << 20, maxCsvFields: 1000 });
      expect(long.error.message).toMatch(/^CSV row 2 is longer than 1048576 bytes/);
      expect(pulled).toBeGreaterThanOrEqual(17);
      expect(pulled).toBeLessThanOrEqual(17 + 16);
    });
  });
});
