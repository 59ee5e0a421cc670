/** Deeper JSON than this is refused before anything recursive (validation, fingerprints) sees it. */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of JSON text, counting only brackets outside strings; stops early past `limit`. */
export function jsonDepthExceeds(text: string | Buffer, limit = MAX_JSON_DEPTH): boolean {
  const s = typeof text === 'string' ? text : text.toString('utf8');
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > limit) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly type = 'entity.too.deep';

  constructor(limit = MAX_JSON_DEPTH) {
    super(`JSON nested deeper than ${limit} levels`);
  }
}

/** body-parser `verify` hook: refuses over-deep JSON with a 400 problem. */
export function verifyJsonDepth(_req: unknown, _res: unknown, buf: Buffer): void {
  if (jsonDepthExceeds(buf)) throw new JsonTooDeepError();
}
