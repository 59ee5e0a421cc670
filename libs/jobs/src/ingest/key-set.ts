import { randomFillSync } from 'node:crypto';

/**
 * A probe run longer than this means the keys cluster (with a keyed hash: bad luck, never a choice
 * of the sender): the set re-keys. Random keys at load ≤ 1/2 stay far below it (a 1M-key set's
 * longest run is about 50).
 */
const MAX_RUN = 128;
/** Re-keys per set; each costs one pass over the keys, so the whole set stays linear. */
export const MAX_REKEYS = 4;

export interface KeySetOptions {
  /** Longest probe run before re-keying (tests lower it to drive the re-key path). */
  maxRun?: number;
}

/**
 * An exact set of strings for a million keys within a few tens of MB: the keys' UTF-8 bytes sit end
 * to end in one growing buffer and an open-addressing table of 32-bit slots points into it. A JS
 * `Set<string>` costs ~90 bytes a key; this costs the key's bytes plus 16-24 (its offset, its hash,
 * two to four table slots). Equal hashes are always confirmed byte for byte, so it never reports a
 * false duplicate.
 *
 * The keys come from the client, so the hash is HalfSipHash-2-4 keyed with a secret drawn for each
 * set: nobody can compute keys that collide (an unkeyed hash such as FNV-1a let 65,536 crafted ids
 * cost minutes of quadratic probing). Should a probe run still grow long, the set draws a new secret
 * and rehashes, a bounded number of times.
 */
export class KeySet {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  /** Start of key n in `bytes`; key n ends where key n + 1 starts. */
  private starts = new Uint32Array(1 << 10);
  private count = 0;
  /** Slot → key number + 1 (0 = empty). */
  private table = new Uint32Array(1 << 11);
  private hashes = new Uint32Array(1 << 10);
  private readonly seed = new Uint32Array(2);
  private readonly maxRun: number;
  /** Table slots looked at by `add` (the work a flood would inflate). */
  probes = 0;
  /** Times a long probe run made the set draw a new secret. */
  rekeys = 0;

  constructor(options: KeySetOptions = {}) {
    this.maxRun = options.maxRun ?? MAX_RUN;
    randomFillSync(this.seed);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held: the keys' buffer and the three tables. */
  get memoryBytes(): number {
    return this.bytes.length + 4 * (this.starts.length + this.hashes.length + this.table.length);
  }

  /** Adds `key`; false if it was already there. */
  add(key: string): boolean {
    const max = Buffer.byteLength(key);
    if (this.used + max > this.bytes.length) this.growBytes(this.used + max);
    const start = this.used;
    const len = this.bytes.write(key, start);
    const hash = halfSipHash24(this.seed[0], this.seed[1], this.bytes, start, start + len);
    const mask = this.table.length - 1;
    for (let slot = hash & mask, run = 1; ; slot = (slot + 1) & mask, run++) {
      const entry = this.table[slot];
      if (entry === 0) {
        this.probes += run;
        this.append(start, len, hash, slot);
        if (run > this.maxRun && this.rekeys < MAX_REKEYS) this.rekey();
        return true;
      }
      const n = entry - 1;
      if (this.hashes[n] === hash && this.equals(n, start, len)) {
        this.probes += run;
        return false;
      }
    }
  }

  private equals(n: number, start: number, len: number): boolean {
    const from = this.starts[n];
    const to = n + 1 < this.count ? this.starts[n + 1] : this.used;
    if (to - from !== len) return false;
    return this.bytes.compare(this.bytes, start, start + len, from, to) === 0;
  }

  private append(start: number, len: number, hash: number, slot: number): void {
    if (this.count === this.starts.length) {
      this.starts = grow(this.starts);
      this.hashes = grow(this.hashes);
    }
    this.starts[this.count] = start;
    this.hashes[this.count] = hash;
    this.count++;
    this.used = start + len;
    this.table[slot] = this.count;
    // Keep the load factor at most 1/2 so probe runs stay short.
    if (this.count * 2 > this.table.length) this.rehash(this.table.length * 2);
  }

  /** A new secret, every key hashed again from its bytes. */
  private rekey(): void {
    this.rekeys++;
    randomFillSync(this.seed);
    const [k0, k1] = this.seed;
    for (let n = 0; n < this.count; n++) {
      const to = n + 1 < this.count ? this.starts[n + 1] : this.used;
      this.hashes[n] = halfSipHash24(k0, k1, this.bytes, this.starts[n], to);
    }
    this.rehash(this.table.length);
  }

  private rehash(size: number): void {
    const table = new Uint32Array(size);
    const mask = size - 1;
    for (let n = 0; n < this.count; n++) {
      let slot = this.hashes[n] & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = n + 1;
    }
    this.table = table;
  }

  private growBytes(min: number): void {
    let size = this.bytes.length * 2;
    while (size < min) size *= 2;
    const bytes = Buffer.allocUnsafe(size);
    this.bytes.copy(bytes, 0, 0, this.used);
    this.bytes = bytes;
  }
}

function grow(a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * HalfSipHash-2-4 with a 32-bit tag (Aumasson and Bernstein's reference design, 64-bit key `k0`,
 * `k1`) over `bytes[from, to)`: a keyed function made for hash tables fed by an adversary. 32-bit
 * words throughout, which is what JS integer arithmetic does fast.
 */
export function halfSipHash24(
  k0: number,
  k1: number,
  bytes: Uint8Array,
  from: number,
  to: number,
): number {
  let v0 = k0 | 0;
  let v1 = k1 | 0;
  let v2 = 0x6c796765 ^ k0;
  let v3 = 0x74656462 ^ k1;
  const full = to - ((to - from) & 3);
  for (let i = from; ; i += 4) {
    let m: number;
    const last = i === full;
    if (!last) {
      m = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    } else {
      // The final word: the length's low byte on top, the 0-3 bytes left below.
      m = (to - from) << 24;
      const left = to - i;
      if (left > 2) m |= bytes[i + 2] << 16;
      if (left > 1) m |= bytes[i + 1] << 8;
      if (left > 0) m |= bytes[i];
    }
    v3 ^= m;
    for (let r = 0; r < 2; r++) {
      v0 = (v0 + v1) | 0;
      v1 = (v1 << 5) | (v1 >>> 27);
      v1 ^= v0;
      v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0;
      v3 = (v3 << 8) | (v3 >>> 24);
      v3 ^= v2;
      v0 = (v0 + v3) | 0;
      v3 = (v3 << 7) | (v3 >>> 25);
      v3 ^= v0;
      v2 = (v2 + v1) | 0;
      v1 = (v1 << 13) | (v1 >>> 19);
      v1 ^= v2;
      v2 = (v2 << 16) | (v2 >>> 16);
    }
    v0 ^= m;
    if (last) break;
  }
  v2 ^= 0xff;
  for (let r = 0; r < 4; r++) {
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
  }
  return (v1 ^ v3) >>> 0;
}
