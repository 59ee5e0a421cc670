import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A prefixed, unguessable id such as `ord_3k9x…`: 20 base-36 characters from 128 random bits. */
export function newId(prefix: string): string {
  let n = BigInt(`0x${randomBytes(16).toString('hex')}`);
  let out = '';
  for (let i = 0; i < 20; i++) {
    out += ALPHABET[Number(n % 36n)];
    n /= 36n;
  }
  return `${prefix}_${out}`;
}
