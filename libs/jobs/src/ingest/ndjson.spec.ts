import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JobError } from '../domain/jobs.errors';
import { ndjsonItems, PARSE_ERROR_FIELD, RawJsonItem } from './ndjson';

const LIMITS = { maxLineBytes: 1024 * 1024 };

async function collect(source: AsyncIterable<unknown[]>): Promise<unknown[][]> {
  const batches: unknown[][] = [];
  for await (const batch of source) batches.push(batch);
  return batches;
}

const values = (batches: unknown[][]) =>
  batches.flat().map((i) => (i instanceof RawJsonItem ? i.value : i));

describe('ndjsonItems', () => {
  it('yields one batch per piece of the body, lines split across pieces joined again', async () => {
    const pieces = ['{"a":1}\n{"a"', ':2}\r\n\n', '{"a":3}\n{"a":4}'].map((t) => Buffer.from(t));
    const batches = await collect(ndjsonItems(Readable.from(pieces), LIMITS));
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1, 1]);
    expect(values(batches)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }]);
    // Raw text is kept for storage as sent.
    expect((batches[0][0] as RawJsonItem).json).toBe('{"a":1}');
  });

  it('decodes UTF-8 split inside a character and numbers lines across blank ones', async () => {
    const bytes = Buffer.from('{"n":"ü"}\n\nnot json\n');
    const split = bytes.indexOf(0xbc); // second byte of ü
    const batches = await collect(
      ndjsonItems(Readable.from([bytes.subarray(0, split), bytes.subarray(split)]), LIMITS),
    );
    const items = values(batches);
    expect(items[0]).toEqual({ n: 'ü' });
    expect(items[1]).toEqual({
      [PARSE_ERROR_FIELD]: expect.stringMatching(/^line 3 is not valid JSON/) as string,
    });
  });

  it('turns an over-deep line into an item that fails on its own', async () => {
    const deep = '['.repeat(70) + ']'.repeat(70);
    const items = values(
      await collect(ndjsonItems(Readable.from([Buffer.from(`${deep}\n1\n`)]), LIMITS)),
    );
    expect(items).toEqual([{ [PARSE_ERROR_FIELD]: 'line 1 is nested deeper than 64 levels' }, 1]);
  });

  it('trims what String.prototype.trim trims before checking a line', async () => {
    const text = '\u00a0{"a":1}\u00a0\r\n \t[1, 2] \r\n\ufeff"x"\n';
    const items = values(await collect(ndjsonItems(Readable.from([Buffer.from(text)]), LIMITS)));
    expect(items).toEqual([{ a: 1 }, [1, 2], 'x']);
  });

  describe('BULK_MAX_LINE_BYTES', () => {
    /** The error the upload ends with, and the items it yielded before. */
    async function refused(source: Iterable<Buffer> | AsyncIterable<Buffer>, maxLineBytes: number) {
      const items: unknown[] = [];
      try {
        for await (const batch of ndjsonItems(Readable.from(source), { maxLineBytes })) {
          items.push(...batch);
        }
      } catch (e) {
        return { error: e as JobError, items };
      }
      throw new Error(`not refused; items: ${JSON.stringify(items)}`);
    }

    it('counts bytes, not characters: a line of exactly the limit passes, one byte more refuses the upload', async () => {
      // "€" is 3 bytes in UTF-8: 21 of them in quotes make a 65-byte line of 23 characters.
      const line = `"${'€'.repeat(21)}"`;
      expect(Buffer.byteLength(line)).toBe(65);
      const ok = values(
        await collect(
          ndjsonItems(Readable.from([Buffer.from(`1\n${line}\r\n`)]), { maxLineBytes: 66 }),
        ),
      );
      expect(ok).toEqual([1, '€'.repeat(21)]);
      const { error, items } = await refused([Buffer.from(`1\n\n${line}\n2\n`)], 64);
      expect(error).toBeInstanceOf(JobError);
      expect(error.status).toBe(413);
      expect(error.code).toBe('payload_too_large');
      expect(error.message).toBe(
        'NDJSON line 3 is longer than 64 bytes (BULK_MAX_LINE_BYTES); nothing was stored',
      );
      // Nothing of the long line, nor after it, became an item.
      expect(items).toEqual([]);
    });

    it('measures a line split over many pieces, and one that ends the body without a newline', async () => {
      const pieces = ['{"a":', '1}\n[', '1,2,', '3]\n', '"abcdefghij"'].map((t) => Buffer.from(t));
      const ok = values(await collect(ndjsonItems(Readable.from(pieces), { maxLineBytes: 12 })));
      expect(ok).toEqual([{ a: 1 }, [1, 2, 3], 'abcdefghij']);
      const { error } = await refused(pieces, 11);
      expect(error.message).toMatch(/^NDJSON line 3 is longer than 11 bytes/);
      const { error: split } = await refused(pieces.slice(0, 4), 6);
      expect(split.message).toMatch(/^NDJSON line 1 is longer than 6 bytes/);
    });

    it('stops reading an over-long line at the limit: its rest is neither parsed nor held', async () => {
      let pulled = 0;
      // A body that never ends: one line of 64 KiB pieces after a valid first line.
      function* endless() {
        yield Buffer.from('{"ok":true}\n');
        for (;;) {
          pulled++;
          yield Buffer.alloc(64 * 1024, 0x31);
        }
      }
      const { error, items } = await refused(endless(), 1024 * 1024);
      expect(error.message).toMatch(/^NDJSON line 2 is longer than 1048576 bytes/);
      expect(values([items])).toEqual([{ ok: true }]);
      // Refused on the piece that passed 1 MiB, the 17th of 64 KiB (Readable.from reads at most its
      // highWaterMark of 16 pieces ahead): the endless line is not read on.
      expect(pulled).toBeGreaterThanOrEqual(17);
      expect(pulled).toBeLessThanOrEqual(17 + 16);
    });
  });
});
