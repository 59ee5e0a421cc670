import type { Request, Response } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ProblemException } from '../problem/problem.exception';
import { ProblemCode } from '../problem/problem.types';

/**
 * A streamed (NDJSON/CSV) body received whole before the handler runs, in an unlinked temporary
 * file: the handler then reads it at disk speed, so nothing it holds (a pooled connection, an open
 * transaction) waits for a slow client. Its SHA-256 is known up front (the idempotency fingerprint).
 */
export class SpooledBody {
  private closing?: Promise<void>;

  constructor(
    private readonly file: FileHandle,
    readonly size: number,
    readonly digest: string,
  ) {}

  /** The body from its first byte; may be opened more than once. */
  open(): Readable {
    return this.file.createReadStream({ start: 0, autoClose: false, highWaterMark: 256 * 1024 });
  }

  /** Releases the file (its name is gone already, so a crash leaves nothing behind). */
  close(): Promise<void> {
    this.closing ??= this.file.close().catch(() => undefined);
    return this.closing;
  }
}

export interface ReceiveLimits {
  /** Bytes beyond which the body is refused (413). */
  maxBytes: number;
  /** The setting that names `maxBytes` in the problem. */
  maxBytesSetting: string;
  /** Silence (no byte) after which the body is dropped (408). */
  idleTimeoutMs: number;
}

/** 408 for a client that stopped sending; the connection is closed after the answer. */
export function bodyIdleError(idleTimeoutMs: number): ProblemException {
  return new ProblemException(
    408,
    ProblemCode.RequestTimeout,
    `The request body stalled: nothing arrived for ${idleTimeoutMs} ms (UPLOAD_IDLE_TIMEOUT_MS)`,
    { headers: { Connection: 'close' } },
  );
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

/**
 * Reads the whole body of `req` (decoded, if it came gzip/deflate/br-encoded) into a new spool
 * file, hashing it on the way. Refuses it (413, 408) as soon as a limit is passed — the limit counts
 * decoded bytes, so a compression bomb stops there too; what was received is dropped and the
 * connection closed after the answer, so the rest of an oversized body is never read.
 */
export async function spoolBody(req: Request, limits: ReceiveLimits): Promise<SpooledBody> {
  const decoder = decoderFor(req);
  const path = join(tmpdir(), `bulk-upload-${process.pid}-${randomBytes(8).toString('hex')}`);
  const file = await open(path, 'wx+', 0o600);
  // Unlinked at once: the open handle keeps the data, and no process exit can leave a file behind.
  await unlink(path).catch(() => undefined);
  const hash = createHash('sha256');
  let size = 0;
  const source: Readable = decoder ? req.pipe(decoder) : req;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      let writing = Promise.resolve();
      const stop = (error: Error) => {
        if (failed) return;
        failed = true;
        cleanup();
        if (decoder) {
          req.unpipe(decoder);
          decoder.destroy();
        }
        req.pause();
        reject(error);
      };
      const stopWatching = watchIdle(req, limits.idleTimeoutMs, () =>
        stop(bodyIdleError(limits.idleTimeoutMs)),
      );
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) {
          stop(
            new ProblemException(
              413,
              ProblemCode.PayloadTooLarge,
              `The request body exceeds ${limits.maxBytes} bytes (${limits.maxBytesSetting})`,
              { headers: { Connection: 'close' } },
            ),
          );
          return;
        }
        hash.update(chunk);
        // One write at a time, in order; the client waits while the disk is behind.
        source.pause();
        writing = writing
          .then(() => file.write(chunk).then(() => undefined))
          .then(
            () => {
              if (!failed) source.resume();
            },
            (e: Error) => stop(e),
          );
      };
      const onEnd = () => {
        cleanup();
        writing.then(() => (failed ? undefined : resolve()), reject);
      };
      const onAborted = () =>
        stop(
          new ProblemException(
            400,
            ProblemCode.ValidationFailed,
            'The client closed the connection before the body ended',
          ),
        );
      const onUndecodable = () =>
        stop(
          new ProblemException(
            400,
            ProblemCode.ValidationFailed,
            'The request body does not decode as its Content-Encoding says',
          ),
        );
      const cleanup = () => {
        stopWatching();
        source.off('data', onData);
        source.off('end', onEnd);
        decoder?.off('error', onUndecodable);
        req.off('error', onAborted);
        req.off('aborted', onAborted);
      };
      source.on('data', onData);
      source.once('end', onEnd);
      decoder?.once('error', onUndecodable);
      req.once('error', onAborted);
      req.once('aborted', onAborted);
      source.resume();
    });
  } catch (e) {
    await file.close().catch(() => undefined);
    throw e;
  }
  return new SpooledBody(file, size, hash.digest('hex'));
}

const SPOOLED = Symbol('spooledBody');
type WithSpool = Request & { [SPOOLED]?: SpooledBody };

/** Keeps the spooled body with its request until the response is over. */
export function attachSpooledBody(req: Request, res: Response, body: SpooledBody): void {
  (req as WithSpool)[SPOOLED] = body;
  res.once('close', () => void body.close());
}

/** The request's spooled body, if it had a streamed one. */
export function spooledBody(req: Request): SpooledBody | undefined {
  return (req as WithSpool)[SPOOLED];
}

/** What a handler of a streamed (unparsed) body reads: its spool, or the request itself. */
export function bodyStream(req: Request): Readable {
  return spooledBody(req)?.open() ?? req;
}
