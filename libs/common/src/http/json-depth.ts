/** Deeper JSON than this is refused before anything recursive (validation, fingerprints) sees it. */
export const MAX_JSON_DEPTH = 64;

/**
 * Nesting depth of JSON text, counting only brackets outside strings; stops early past `limit`.
 * Works on the raw bytes when given a Buffer: the characters that matter are ASCII, and UTF-8 never
 * uses ASCII byte values inside a multi-byte character, so nothing needs decoding.
 */
export function jsonDepthExceeds(text: string | Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  const bytes = typeof text !== 'string';
  for (let i = 0, n = text.length; i < n; i++) {
    const c = bytes ? text[i] : text.charCodeAt(i);
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
