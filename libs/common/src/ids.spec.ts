import { describe, expect, it } from 'vitest';
import { newId } from './ids';

describe('newId', () => {
  it('is the prefix and 20 base-36 characters', () => {
    expect(newId('ord')).toMatch(/^ord_[0-9a-z]{20}$/);
  });

  it('never repeats, across many refills of the random pool', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('x')));
    expect(ids.size).toBe(10_000);
  });

  it('uses the whole alphabet in every position (the bits are not mostly zero)', () => {
    const seen = Array.from({ length: 20 }, () => new Set<string>());
    for (let i = 0; i < 5000; i++) [...newId('x').slice(2)].forEach((c, j) => seen[j].add(c));
    for (const s of seen) expect(s.size).toBe(36);
  });
});
