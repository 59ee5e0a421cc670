import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';

/** Passes a streamed body through unchanged and knows its SHA-256 once the last byte went by. */
export class BodyDigest extends Transform {
  private readonly hash = createHash('sha256');
  private hex: string | undefined;

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    done(null, chunk);
  }

  _flush(done: TransformCallback): void {
    this.hex = this.hash.digest('hex');
    done();
  }

  /** The digest if the whole body has been read, else undefined. */
  get digest(): string | undefined {
    return this.hex;
  }

  /**
   * Reads (and drops) whatever the handler left unread, then answers the digest; undefined when the
   * body could not be read to its end (the client went away, or a reader destroyed the stream).
   */
  async finish(): Promise<string | undefined> {
    if (this.hex !== undefined || this.destroyed) return this.hex;
    this.resume();
    await Promise.race([once(this, 'end'), once(this, 'close')]).catch(() => undefined);
    return this.hex;
  }
}

const BODY_STREAM = Symbol('bodyStream');
type WithBodyStream = Request & { [BODY_STREAM]?: BodyDigest };

/** Routes a streamed request body through a digest before any handler reads it. */
export function digestBodyStream(req: Request): BodyDigest {
  const existing = (req as WithBodyStream)[BODY_STREAM];
  if (existing) return existing;
  const tap = new BodyDigest();
  pipeline(req, tap, () => undefined);
  (req as WithBodyStream)[BODY_STREAM] = tap;
  return tap;
}

/** What a handler of a streamed (unparsed) body reads: the request, or its digesting tap. */
export function bodyStream(req: Request): Readable {
  return (req as WithBodyStream)[BODY_STREAM] ?? req;
}
