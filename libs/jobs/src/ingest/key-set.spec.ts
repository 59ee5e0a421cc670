import { describe, expect, it } from 'vitest';
import { dedupeKey } from './chunk-builder';
import { halfSipHash24, KeySet, MAX_REKEYS } from './key-set';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** 32-bit FNV-1a (the set's former hash) continued from state `h` over `text`'s char codes. */
function fnv1a(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Six id-like characters drawn from the number `i` (a mixed counter: the blocks look unrelated). */
function block(i: number): string {
  let x = Math.imul(i + 1, 0x9e3779b1);
  let out = '';
  for (let j = 0; j < 6; j++) {
    x ^= x >>> 15;
    x = Math.imul(x, 0x2c1b3c6d);
    x ^= x >>> 12;
    out += ALPHABET[(x >>> 0) % 36];
  }
  return out;
}

/**
 * 2^stages distinct ids sharing one FNV-1a hash, as an attacker builds them offline: at each stage two
 * blocks that take the running state to the same state (a birthday search, ~80,000 blocks), so every
 * choice of one block per stage ends in the same hash.
 */
function fnvMulticollision(prefix: string, stages: number): string[] {
  let state = fnv1a(prefix);
  let keys = [prefix];
  let pair: [string, string] | undefined;
  for (let s = 0; s < stages; s++) {
    // A pair often collides again from the next state: try it before searching.
    if (!pair || fnv1a(pair[0], state) !== fnv1a(pair[1], state)) {
      const seen = new Map<number, string>();
      for (let i = 0; !pair || fnv1a(pair[0], state) !== fnv1a(pair[1], state); i++) {
        const b = block(i);
        const h = fnv1a(b, state);
        const other = seen.get(h);
        if (other !== undefined && other !== b) pair = [other, b];
        else seen.set(h, b);
      }
    }
    const [a, b] = pair;
    keys = keys.flatMap((k) => [k + a, k + b]);
    state = fnv1a(a, state);
  }
  return keys;
}

function randomIds(n: number, seed: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    let id = 'ord_';
    for (let j = 0; j < 20; j++) {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      id += ALPHABET[(seed >>> 8) % 36];
    }
    ids.push(id);
  }
  return ids;
}

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

  it('matches the HalfSipHash-2-4 reference vectors (key 00..07, message 00..n-1)', () => {
    // The first eleven 32-bit tags of the reference implementation's vectors_hsip32.
    const expected = [
      'a9359f5b',
      '27475ab8',
      'fa62a603',
      '8afee704',
      '2a6e4689',
      'c5fab669',
      '5863fc23',
      '8bcf63c5',
      'd0b8848f',
      'f806e779',
      '94b07934',
    ];
    const key = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const message = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
    const tags = expected.map((_, n) => {
      const tag = Buffer.alloc(4);
      tag.writeUInt32LE(halfSipHash24(key.readUInt32LE(0), key.readUInt32LE(4), message, 0, n));
      return tag.toString('hex');
    });
    expect(tags).toEqual(expected);
  });

  it('inserts 4,096 ids sharing one FNV-1a hash with as few probes as random ids', () => {
    const flood = fnvMulticollision('ord_', 12);
    expect(new Set(flood).size).toBe(4096);
    expect(new Set(flood.map((k) => fnv1a(k))).size).toBe(1);

    const attacked = new KeySet();
    expect(flood.filter((k) => !attacked.add(k))).toEqual([]);
    const random = new KeySet();
    randomIds(4096, 11).forEach((k) => random.add(k));
    // The former FNV-1a set probed n/2 slots per key here (8.4M in all); a keyed hash does not care
    // which ids were chosen: about 1.5-2 per key, like random ids.
    expect(attacked.probes / flood.length).toBeLessThan(3);
    expect(random.probes / 4096).toBeLessThan(3);
    // And it stays exact: every id is found again, and nothing else is.
    expect(flood.filter((k) => attacked.add(k))).toEqual([]);
    expect(attacked.add(`${flood[0]}x`)).toBe(true);
    expect(attacked.size).toBe(4097);
  });

  it('draws a new secret when a probe run grows long, a bounded number of times, and stays exact', () => {
    // A bound of 2 slots is passed all the time: the set re-keys until its allowance is spent.
    const keys = new KeySet({ maxRun: 2 });
    const reference = new Set<string>();
    const ids = randomIds(30_000, 5);
    const disagreements: string[] = [];
    for (const id of [...ids, ...ids.slice(0, 10_000), ...randomIds(5_000, 99)]) {
      if (keys.add(id) === reference.has(id)) disagreements.push(id);
      reference.add(id);
    }
    expect(disagreements).toEqual([]);
    expect(keys.size).toBe(reference.size);
    expect(keys.rekeys).toBe(MAX_REKEYS);
    expect(keys.probes / 45_000).toBeLessThan(3);
  });

  it('holds at most the bytes of the keys it tracks plus a fixed cost per key, whatever their length', () => {
    // Keys longer than 255 characters are not ids: the duplicate check never stores them.
    expect(dedupeKey({ id: 'x'.repeat(256) }, 'id')).toBeNull();
    expect(dedupeKey({ id: '€'.repeat(255) }, 'id')).toBe('€'.repeat(255));
    // The longest tracked key: 255 three-byte characters, 765 bytes.
    const keys = new KeySet();
    const n = 4_000;
    for (let i = 0; i < n; i++) {
      keys.add(`${i.toString(36)}${'€'.repeat(255 - i.toString(36).length)}`);
    }
    expect(keys.size).toBe(n);
    // Buffers grow by doubling: at most twice the bytes in use (765 a key, 16-24 in the tables).
    expect(keys.memoryBytes).toBeLessThanOrEqual(2 * n * (765 + 24));
  });
});
