import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ndjsonItems, PARSE_ERROR_FIELD, RawJsonItem } from './ndjson';

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
    const batches = await collect(ndjsonItems(Readable.from(pieces)));
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1, 1]);
    expect(values(batches)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }, { a: 4 }]);
    // Raw text is kept for storage as sent.
    expect((batches[0][0] as RawJsonItem).json).toBe('{"a":1}');
  });

  it('decodes UTF-8 split inside a character and numbers lines across blank ones', async () => {
    const bytes = Buffer.from('{"n":"ü"}\n\nnot json\n');
    const split = bytes.indexOf(0xbc); // second byte of ü
    const batches = await collect(
      ndjsonItems(Readable.from([bytes.subarray(0, split), bytes.subarray(split)])),
    );
    const items = values(batches);
    expect(items[0]).toEqual({ n: 'ü' });
    expect(items[1]).toEqual({
      [PARSE_ERROR_FIELD]: expect.stringMatching(/^line 3 is not valid JSON/) as string,
    });
  });

  it('turns an over-deep line into an item that fails on its own', async () => {
    const deep = '['.repeat(70) + ']'.repeat(70);
    const items = values(await collect(ndjsonItems(Readable.from([Buffer.from(`${deep}\n1\n`)]))));
    expect(items).toEqual([{ [PARSE_ERROR_FIELD]: 'line 1 is nested deeper than 64 levels' }, 1]);
  });

  it('trims what String.prototype.trim trims before checking a line', async () => {
    const text = '\u00a0{"a":1}\u00a0\r\n \t[1, 2] \r\n\ufeff"x"\n';
    const items = values(await collect(ndjsonItems(Readable.from([Buffer.from(text)]))));
    expect(items).toEqual([{ a: 1 }, [1, 2], 'x']);
  });
});
