/** 32-bit FNV-1a, as the service's duplicate-key set (libs/jobs/src/ingest/key-set.ts) computes it. */
export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a of `text` (ASCII) continued from `state`. */
export function fnv1a(text: string, state = FNV_OFFSET): number {
  let h = state;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A pseudo-random block of `width` characters of ALPHABET (xorshift32: deterministic per seed). */
function nextBlock(rng: { x: number }, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    rng.x ^= rng.x << 13;
    rng.x ^= rng.x >>> 17;
    rng.x ^= rng.x << 5;
    s += ALPHABET[(rng.x >>> 0) % ALPHABET.length];
  }
  return s;
}

/**
 * Two different blocks that take the running FNV-1a state `from` to one same state: a birthday
 * search over 32-bit states (about 80,000 random blocks on average).
 */
function collidingPair(from: number, width: number): { pair: [string, string]; to: number } {
  const seen = new Map<number, string>();
  // Random blocks, not a counter: consecutive counters differ in few bits and collide far later.
  const rng = { x: from | 1 };
  for (;;) {
    const candidate = nextBlock(rng, width);
    const to = fnv1a(candidate, from);
    const earlier = seen.get(to);
    if (earlier !== undefined && earlier !== candidate) return { pair: [earlier, candidate], to };
    seen.set(to, candidate);
  }
}

/**
 * 2^stages distinct ids of `stages * width` characters that all share one 32-bit FNV-1a hash: a
 * multicollision. Each stage is a pair of blocks leading from the same state to the same state, so
 * any choice of one block per stage ends in the same final state. Deterministic; well under a second for 16 stages.
 */
export function collidingIds(stages: number, width = 5): string[] {
  const pairs: [string, string][] = [];
  let state = FNV_OFFSET;
  for (let s = 0; s < stages; s++) {
    const { pair, to } = collidingPair(state, width);
    pairs.push(pair);
    state = to;
  }
  const ids: string[] = [];
  for (let choice = 0; choice < 2 ** stages; choice++) {
    ids.push(pairs.map((pair, s) => pair[(choice >>> s) & 1]).join(''));
  }
  return ids;
}
