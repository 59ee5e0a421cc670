import { describe, expect, it } from 'vitest';
import { KeySet } from './key-set';

describe('KeySet', () => {
  it('answers exactly like a Set<string> over many keys, growing as it goes', () => {
    const keys = new KeySet();
    const reference = new Set<string>();
    let seed = 7;
    const disagreements: string[] = [];
    let repeats = 0;
    for (let i = 0; i < 200_000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const key = `ord_${(seed % 150_000).toString(36)}`;
      const seen = reference.has(key);
      if (keys.add(key) === seen) disagreements.push(key);
      if (seen) repeats++;
      reference.add(key);
    }
    expect(disagreements).toEqual([]);
    expect(repeats).toBeGreaterThan(10_000);
    expect(keys.size).toBe(reference.size);
  });

  it('tells apart keys that differ only in length, case or non-ASCII characters', () => {
    const keys = new KeySet();
    for (const k of ['a', 'aa', 'A', '', 'é', 'e\u0301', '😀', '😀😀', 'a\u0000']) {
      expect(keys.add(k)).toBe(true);
    }
    for (const k of ['a', 'aa', 'A', '', 'é', 'e\u0301', '😀', '😀😀', 'a\u0000']) {
      expect(keys.add(k)).toBe(false);
    }
  });

  it('never reports a false duplicate when 32-bit hashes collide', () => {
    // "costarring" and "liquid" share an FNV-1a 32-bit hash.
    const keys = new KeySet();
    expect(keys.add('costarring')).toBe(true);
    expect(keys.add('liquid')).toBe(true);
    expect(keys.add('liquid')).toBe(false);
  });
});
