import type { Op } from './spec';

/** The run size the minimums below are stated for; other sizes scale them. */
export const PLANNED_REQUESTS = 4000;

/**
 * How often each case kind must have been sent and checked in a run of PLANNED_REQUESTS (about
 * half of what the generator's weights give with the default seed, so that other seeds pass too):
 * both kinds of undocumented request, each credential, id and body strategy, both upload media
 * types and stray bodies. Besides: every operation of the document its turns, and each expensive
 * special exactly as often as it is placed.
 */
const MINIMUM_RUNS: Record<string, number> = {
  'extra method': 45,
  'extra path': 6,
  'tenant acme': 1400,
  'tenant globex': 140,
  'tenant bad': 230,
  'tenant none': 200,
  'id real': 400,
  'id foreign': 90,
  'id fake': 140,
  'id hostile': 370,
  'body valid': 40,
  'body wrong-field': 90,
  'body several-wrong': 30,
  'body missing': 18,
  'body pollution': 30,
  'body top-level': 20,
  'body deep': 24,
  'body long-strings': 20,
  'body malformed': 28,
  'body wrong-content-type': 25,
  'body charset': 8,
  'body encoding': 10,
  'body none': 6,
  'body upload': 25,
  'upload application/x-ndjson': 10,
  'upload text/csv': 10,
  'stray body': 200,
};
/** Placed at fixed positions (see Generator.special): never scaled. */
const SPECIAL_RUNS: Record<string, number> = {
  'special 20 MB body': 2,
  'special gzip bomb': 2,
  'special 2 MB application/x-ndjson': 1,
  'special 2 MB text/csv': 1,
};

/** Every kind the run must have covered with its minimum for `total` requests. */
export function minimumRuns(ops: Op[], total: number): Record<string, number> {
  const scaled = (n: number) => Math.max(1, Math.floor((n * total) / PLANNED_REQUESTS));
  // Operations take turns (Generator.request): each gets 36 of 37 requests over the number of
  // operations, less the few specials; 90 % of that share.
  const turns = Math.floor((0.9 * total * 36) / 37 / ops.length);
  return {
    ...Object.fromEntries(ops.map((op) => [`operation ${op.operationId}`, turns])),
    ...Object.fromEntries(Object.entries(MINIMUM_RUNS).map(([k, n]) => [k, scaled(n)])),
    ...SPECIAL_RUNS,
  };
}

/** The kinds that ran fewer times than their minimum, as `kind: ran/minimum`. */
export function shortfalls(ran: Record<string, number>, minimum: Record<string, number>): string[] {
  return Object.entries(minimum)
    .filter(([kind, n]) => (ran[kind] ?? 0) < n)
    .map(([kind, n]) => `${kind}: ${ran[kind] ?? 0}/${n}`);
}
