import type { DestinationStream } from 'pino';

/**
 * Collects the lines logged during one turn of the event loop and hands them to `target` in one
 * write: under load a turn completes many requests, and one synchronous write per completion line
 * was a visible share of a request's CPU (bench/requests). Writes stay synchronous, so whatever
 * is collected when the process exits (`process.exit`, a fatal exception) is still written.
 */
export function batchedDestination(target: DestinationStream): DestinationStream & {
  flush(): void;
} {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending) return;
    const out = pending;
    pending = '';
    target.write(out);
  };
  process.on('exit', flush);
  return {
    write(line: string) {
      pending += line;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
