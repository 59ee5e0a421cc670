/*
 * Bodies for the hostile-tenant attacks: built before an attack starts, then written in pieces, so
 * that the test process's own event loop stays free while the victim is timed.
 */

export const MiB = 1024 * 1024;

/** `buffer` in pieces of `size` bytes. */
export function* pieces(buffer: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}

/** One `update_orders_status` NDJSON line per id. */
export function statusLines(ids: string[]): Buffer {
  return Buffer.from(ids.map((id) => `{"id":"${id}","status":"shipped"}\n`).join(''));
}

/** About `bytes` of valid NDJSON lines of about 1 KB each (ids repeat between pieces: not the point). */
export function paddedLines(bytes: number): Buffer {
  const pad = 'x'.repeat(960);
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `{"id":"ord_${i}","status":"shipped","note":"${pad}"}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join(''));
}

/**
 * A JSON bulk-job envelope just under `bytes` whose items are empty objects: the most values per
 * byte, so the costliest body of that size to parse (millions of objects).
 */
export function bigJsonEnvelope(bytes: number): Buffer {
  const head = '{"operation":"update_orders_status","items":[';
  const count = Math.floor((bytes - head.length - 8) / 3);
  return Buffer.from(`${head}${'{},'.repeat(count)}{}]}`);
}

/** A slow client: `lines` NDJSON lines, one every `everyMs`, then the end of the body. */
export async function* trickle(
  tag: string,
  lines: number,
  everyMs: number,
  signal: AbortSignal,
): AsyncGenerator<string> {
  for (let i = 0; i < lines && !signal.aborted; i++) {
    yield `{"id":"ord_${tag}_${i}","status":"shipped"}\n`;
    await abortableSleep(everyMs, signal);
  }
}

/**
 * `source`, with a pause after its first piece: time for a server that answers before reading the
 * body (a 401) to be heard, as by a client on a real link. Without it, Node's client keeps writing
 * into the closed connection and its EPIPE hides the answer it had not yet read.
 */
export async function* pausedAfterFirst(
  source: Iterable<Buffer>,
  pauseMs: number,
): AsyncGenerator<Buffer> {
  let first = true;
  for (const piece of source) {
    yield piece;
    if (first) await new Promise<void>((ok) => setTimeout(ok, pauseMs));
    first = false;
  }
}

/** A client that sends `start` and then nothing until the attack is over. */
export async function* stall(start: string, signal: AbortSignal): AsyncGenerator<string> {
  yield start;
  await abortableSleep(Number.MAX_SAFE_INTEGER, signal);
}

/** Resolves after `ms` or at the abort, whichever comes first (and leaves no timer behind). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((ok) => {
    if (signal.aborted) return ok();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      ok();
    };
    const timer = setTimeout(done, Math.min(ms, 2 ** 31 - 1));
    signal.addEventListener('abort', done, { once: true });
  });
}
