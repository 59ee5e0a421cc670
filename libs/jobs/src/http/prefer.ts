export const MAX_PREFER_WAIT_SECONDS = 60;

/** `wait=N` from an RFC 7240 Prefer header (e.g. `respond-async, wait=10`), capped at 60; undefined if absent. */
export function preferWaitSeconds(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return undefined;
  for (const part of text.split(/[,;]/)) {
    const m = /^\s*wait\s*=\s*"?(\d+)"?\s*$/i.exec(part);
    if (m) return Math.min(Number(m[1]), MAX_PREFER_WAIT_SECONDS);
  }
  return undefined;
}
