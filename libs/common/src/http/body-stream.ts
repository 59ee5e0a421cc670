import type { Request, Response } from 'express';
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ProblemException } from '../problem/problem.exception';
import { ProblemCode } from '../problem/problem.types';

export interface ReceiveLimits {
  /** Decoded bytes beyond which the body is refused (413). */
  maxBytes: number;
  /** The setting that names `maxBytes` in the problem. */
  maxBytesSetting: string;
  /** Silence (no byte) after which the body is dropped (408). */
  idleTimeoutMs: number;
  /** Whether to hash the body (SHA-256 of 50 MB costs about 0.1 s of CPU: only when it is used). */
  digest?: boolean;
}

/** 408 for a client that stopped sending (see `stopReading`). */
export function bodyIdleError(idleTimeoutMs: number): ProblemException {
  return new ProblemException(
    408,
    ProblemCode.RequestTimeout,
    `The request body stalled: nothing arrived for ${idleTimeoutMs} ms (UPLOAD_IDLE_TIMEOUT_MS)`,
  );
}

/**
 * Gives up on the rest of a body: no more of it is read, and the connection closes once the answer
 * is out (otherwise the server would go on reading, or keep the socket for a client mid-body).
 */
export function stopReading(req: Request, res: Response): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  req.pause();
}

/** Calls `onIdle` when `req` has sent nothing for `ms`; the returned function stops watching. */
export function watchIdle(req: Request, ms: number, onIdle: () => void): () => void {
  let timer = setTimeout(onIdle, ms);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(onIdle, ms);
  };
  req.on('data', touch);
  return () => {
    clearTimeout(timer);
    req.off('data', touch);
  };
}

/** The decoder of a Content-Encoding, or 415 for one this service does not read. */
function decoderFor(req: Request): Transform | undefined {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  switch (encoding) {
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      throw new ProblemException(
        415,
        ProblemCode.UnsupportedMediaType,
        `Content-Encoding ${encoding} is not supported; use gzip, deflate, br or none`,
      );
  }
}

/** Counts (and, if asked, hashes) the decoded bytes of a body; fails past the limit. */
export class IncomingBody extends Transform {
  private readonly hash?: Hash;
  private size = 0;
  private hex?: string;

  constructor(private readonly limits: ReceiveLimits) {
    super({ highWaterMark: 1024 * 1024 });
    if (limits.digest) this.hash = createHash('sha256');
  }

  /** SHA-256 of the decoded body (when asked for), once it has been read to its end. */
  get digest(): string | undefined {
    return this.hex;
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limits.maxBytes) {
      done(
        new ProblemException(
          413,
          ProblemCode.PayloadTooLarge,
          `The request body exceeds ${this.limits.maxBytes} bytes (${this.limits.maxBytesSetting})`,
        ),
      );
      return;
    }
    this.hash?.update(chunk);
    done(null, chunk);
  }

  _flush(done: TransformCallback): void {
    this.hex = this.hash?.digest('hex');
    done();
  }
}

/**
 * A streamed (NDJSON/CSV) body as it arrives: decoded if it came gzip/deflate/br-encoded (415 for
 * another encoding), counted against `maxBytes` — decoded bytes, so a compression bomb stops there
 * too — dropped after `idleTimeoutMs` of silence, hashed. Failures are problems the reader gets as
 * the stream's error. A body given up before its end (a limit, or the reader stopped) is not read
 * further: the connection closes after the answer.
 */
export function receiveBody(req: Request, res: Response, limits: ReceiveLimits): IncomingBody {
  const decoder = decoderFor(req);
  const body = new IncomingBody(limits);
  // Its reader gets the error (an iterator rethrows it); none is left to crash the process.
  body.on('error', () => undefined);
  const source = decoder ? req.pipe(decoder) : req;
  source.pipe(body);
  const fail = (error: Error) => body.destroy(error);
  const stopWatching = watchIdle(req, limits.idleTimeoutMs, () =>
    fail(bodyIdleError(limits.idleTimeoutMs)),
  );
  const aborted = () =>
    fail(
      new ProblemException(
        400,
        ProblemCode.ValidationFailed,
        'The client closed the connection before the body ended',
      ),
    );
  const undecodable = () =>
    fail(
      new ProblemException(
        400,
        ProblemCode.ValidationFailed,
        'The request body does not decode as its Content-Encoding says',
      ),
    );
  req.once('aborted', aborted);
  req.once('error', aborted);
  decoder?.once('error', undecodable);
  body.once('close', () => {
    stopWatching();
    req.off('aborted', aborted);
    req.off('error', aborted);
    if (req.complete) return;
    source.unpipe(body);
    if (decoder) {
      req.unpipe(decoder);
      decoder.destroy();
    }
    stopReading(req, res);
  });
  return body;
}

const DIGEST = Symbol('bodyDigest');
type WithDigest = Request & { [DIGEST]?: string };

/** Records the SHA-256 of a streamed body read before the handler (the idempotency fingerprint). */
export function setBodyDigest(req: Request, hex: string): void {
  (req as WithDigest)[DIGEST] = hex;
}

/** The SHA-256 of the request's streamed body, if one was read whole before the handler. */
export function bodyDigest(req: Request): string | undefined {
  return (req as WithDigest)[DIGEST];
}
