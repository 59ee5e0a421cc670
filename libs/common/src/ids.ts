import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 256 ids instead of one per id. */
const pool = Buffer.alloc(4096);
let offset = pool.length;

function random128(): bigint {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hi = pool.readBigUInt64BE(offset);
  const lo = pool.readBigUInt64BE(offset + 8);
  offset += 16;
  return (hi << 64n) | lo;
}

/** A prefixed, unguessable id such as `ord_3k9x…`: 20 base-36 characters from 128 random bits. */
export function newId(prefix: string): string {
  let n = random128();
  let out = '';
  for (let i = 0; i < 20; i++) {
    out += ALPHABET[Number(n % 36n)];
    n /= 36n;
  }
  return `${prefix}_${out}`;
}
