import { open, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChunkSink, NewChunk } from './chunk-builder';

/** Where a chunk's items sit in the spool file. */
interface SpooledChunk {
  chunkNo: number;
  itemCount: number;
  duplicates: number[];
  offset: number;
  bytes: number;
}

/**
 * A job's chunks built while its upload arrives, kept in an unlinked temporary file (no crash leaves
 * one behind) until the job's transaction copies them: parsing overlaps the client's sending, and
 * the transaction only copies finished chunks at disk speed, never waiting on the client.
 */
export class ChunkSpool implements ChunkSink {
  private readonly chunks: SpooledChunk[] = [];
  private size = 0;
  private closed = false;
  /**
   * One buffer for every write and read (each is awaited before the next): a buffer per chunk would
   * leave a job's worth of garbage outside the heap, which the collector sees late.
   */
  private scratch = Buffer.allocUnsafe(64 * 1024);

  private constructor(private readonly file: FileHandle) {}

  static async create(): Promise<ChunkSpool> {
    const path = join(tmpdir(), `bulk-chunks-${process.pid}-${randomBytes(8).toString('hex')}`);
    const file = await open(path, 'wx+', 0o600);
    await unlink(path).catch(() => undefined);
    return new ChunkSpool(file);
  }

  /** Items stored so far. */
  get itemCount(): number {
    return this.chunks.reduce((n, c) => n + c.itemCount, 0);
  }

  async write(chunk: NewChunk): Promise<void> {
    const bytes = this.room(Buffer.byteLength(chunk.items)).write(chunk.items);
    await this.file.write(this.scratch, 0, bytes, this.size);
    this.chunks.push({
      chunkNo: chunk.chunkNo,
      itemCount: chunk.itemCount,
      duplicates: chunk.duplicates,
      offset: this.size,
      bytes,
    });
    this.size += bytes;
  }

  /** The chunks in order, each read back when asked for. */
  async *read(): AsyncGenerator<NewChunk> {
    for (const c of this.chunks) {
      const buffer = this.room(c.bytes);
      await this.file.read(buffer, 0, c.bytes, c.offset);
      yield {
        chunkNo: c.chunkNo,
        itemCount: c.itemCount,
        duplicates: c.duplicates,
        items: buffer.toString('utf8', 0, c.bytes),
      };
    }
  }

  /** The scratch buffer, grown to hold `bytes`. */
  private room(bytes: number): Buffer {
    if (this.scratch.length < bytes) this.scratch = Buffer.allocUnsafe(bytes * 2);
    return this.scratch;
  }

  /** Releases the file (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.file.close().catch(() => undefined);
  }
}
