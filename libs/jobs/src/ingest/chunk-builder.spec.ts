import { describe, expect, it, vi } from 'vitest';
import { ChunkBuilder, type NewChunk } from './chunk-builder';
import { RawJsonItem } from './ndjson';

const collect = () => {
  const chunks: NewChunk[] = [];
  return { chunks, sink: { write: (c: NewChunk) => Promise.resolve(void chunks.push(c)) } };
};

describe('ChunkBuilder', () => {
  it('groups items into chunks of the chunk size, the last one partial', async () => {
    const { chunks, sink } = collect();
    const b = new ChunkBuilder(sink, 3);
    for (let i = 0; i < 7; i++) await b.add({ n: i });
    await b.close();
    expect(b.count).toBe(7);
    expect(chunks.map((c) => [c.chunkNo, c.itemCount])).toEqual([
      [0, 3],
      [1, 3],
      [2, 1],
    ]);
    expect(JSON.parse(chunks[1].items)).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }]);
  });

  it('keeps raw NDJSON text as sent and stores non-objects as they are', async () => {
    const { chunks, sink } = collect();
    const b = new ChunkBuilder(sink, 10);
    await b.add(new RawJsonItem('{"a":1,  "b":"x"}'));
    await b.add(new RawJsonItem('5'));
    await b.close();
    expect(chunks[0].items).toBe('[{"a":1,  "b":"x"},5]');
    const mixed = collect();
    const m = new ChunkBuilder(mixed.sink, 10);
    await m.add(new RawJsonItem('{"a":1}'));
    await m.add(undefined);
    await m.add('text');
    await m.close();
    expect(JSON.parse(mixed.chunks[0].items)).toEqual([{ a: 1 }, null, 'text']);
  });

  it('marks every item whose key already appeared earlier in the job, across chunks', async () => {
    const { chunks, sink } = collect();
    const b = new ChunkBuilder(sink, 2, 'id');
    const ids = ['a', 'b', 'a', 'c', 'b', 7, '7', 'x'.repeat(256), 'x'.repeat(256), null];
    for (const id of ids) await b.add({ id });
    await b.add('not an object');
    await b.close();
    // Positions within each chunk: 'a' again at 2 (chunk 1, pos 0), 'b' at 4 (chunk 2, pos 0),
    // '7' at 6 (chunk 3, pos 0: 7 and '7' are one key); over-long keys and nulls are not tracked.
    expect(chunks.map((c) => c.duplicates)).toEqual([[], [0], [0], [0], [], []]);
  });

  it('reads keys from raw lines only when the operation has a key field', async () => {
    const keyed = collect();
    const b = new ChunkBuilder(keyed.sink, 10, 'id');
    for (const json of ['{"id":"a"}', '{"id":"b"}', '{"id": "a"}'])
      await b.add(new RawJsonItem(json));
    await b.close();
    expect(keyed.chunks[0].duplicates).toEqual([2]);
    expect(keyed.chunks[0].items).toBe('[{"id":"a"},{"id":"b"},{"id": "a"}]');

    const plain = new RawJsonItem('{"id":"a"}');
    const parse = vi.spyOn(JSON, 'parse');
    const c = new ChunkBuilder(collect().sink, 10);
    await c.add(plain);
    await c.close();
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
  });

  it('takes sync and async sources alike and refuses items beyond the maximum', async () => {
    const sync = collect();
    const a = new ChunkBuilder(sync.sink, 2);
    await a.addAll([1, 2, 3, 4, 5], 5, () => new Error('too many'));
    await a.close();
    expect(sync.chunks.map((c) => c.items)).toEqual(['[1,2]', '[3,4]', '[5]']);

    async function* lines() {
      yield await Promise.resolve([{ i: 0 }, { i: 1 }]);
      yield await Promise.resolve([{ i: 2 }, { i: 3 }]);
    }
    const streamed = collect();
    const b = new ChunkBuilder(streamed.sink, 3);
    await b.addAll(lines(), 10, () => new Error('too many'));
    await b.close();
    expect(streamed.chunks.map((c) => c.itemCount)).toEqual([3, 1]);

    const c = new ChunkBuilder(collect().sink, 2);
    await expect(c.addAll([1, 2, 3], 2, () => new Error('too many'))).rejects.toThrow('too many');
    await expect(
      new ChunkBuilder(collect().sink, 2).addAll(lines(), 3, () => new Error('over')),
    ).rejects.toThrow('over');
  });
});
