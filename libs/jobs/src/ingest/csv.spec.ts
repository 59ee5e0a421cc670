import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvItems } from './csv';

describe('csvItems', () => {
  it('yields the records of each piece together, quoted newlines included', async () => {
    const pieces = ['id,ref\n1,"a\nb"\n2,', 'c\n3,d'].map((t) => Buffer.from(t));
    const batches: unknown[][] = [];
    for await (const batch of csvItems(Readable.from(pieces))) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1]);
    expect(batches.flat()).toEqual([
      { id: '1', ref: 'a\nb' },
      { id: '2', ref: 'c' },
      { id: '3', ref: 'd' },
    ]);
  });
});
