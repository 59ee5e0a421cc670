/**
 * An exact set of strings for a million keys within a few tens of MB: the keys' UTF-8 bytes sit end
 * to end in one growing buffer and an open-addressing table of 32-bit slots points into it. A JS
 * `Set<string>` costs ~90 bytes a key; this costs the key's bytes plus ~12. Equal hashes are always
 * confirmed byte for byte, so it never reports a false duplicate.
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

  get size(): number {
    return this.count;
  }

  /** Adds `key`; false if it was already there. */
  add(key: string): boolean {
    const max = Buffer.byteLength(key);
    if (this.used + max > this.bytes.length) this.growBytes(this.used + max);
    const start = this.used;
    const len = this.bytes.write(key, start);
    const hash = fnv1a(this.bytes, start, start + len);
    const mask = this.table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.table[slot];
      if (entry === 0) {
        this.append(start, len, hash, slot);
        return true;
      }
      const n = entry - 1;
      if (this.hashes[n] === hash && this.equals(n, start, len)) return false;
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
    if (this.count * 2 > this.table.length) this.rehash();
  }

  private rehash(): void {
    const table = new Uint32Array(this.table.length * 2);
    const mask = table.length - 1;
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

/** 32-bit FNV-1a over a byte range. */
function fnv1a(bytes: Buffer, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
