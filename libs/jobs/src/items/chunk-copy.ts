import { Database } from '@app/database';
import { once } from 'node:events';
import type { ChunkSink, NewChunk } from '../ingest/chunk-builder';

/** COPY text format: backslash, tab, newline and carriage return must be escaped. */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/**
 * Streams chunk rows into `bulk_job_chunks` with one `COPY … FROM STDIN` inside the caller's
 * transaction. Postgres stores a chunk while the next one is parsed; back-pressure bounds memory.
 */
export class ChunkCopy implements ChunkSink {
  private stream?: ReturnType<Database['copyFrom']>;
  private finished?: Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly jobId: string,
  ) {}

  async write(chunk: NewChunk): Promise<void> {
    const stream = this.stream ?? this.open();
    const dups = chunk.duplicates.length ? `{${chunk.duplicates.join(',')}}` : '\\N';
    const line = `${this.jobId}\t${chunk.chunkNo}\t${chunk.itemCount}\t${copyText(chunk.items)}\t${dups}\n`;
    if (!stream.write(line)) await Promise.race([once(stream, 'drain'), this.finished]);
  }

  /** Ends the COPY; the rows become visible with the surrounding transaction's commit. */
  async close(): Promise<void> {
    if (!this.stream) return;
    this.stream.end();
    await this.finished;
  }

  /** Cancels the COPY (CopyFail) so the transaction can roll back cleanly. */
  async abort(error: Error): Promise<void> {
    if (!this.stream) return;
    this.stream.destroy(error);
    await this.finished?.catch(() => undefined);
  }

  private open(): ReturnType<Database['copyFrom']> {
    const stream = this.db.copyFrom(
      'COPY bulk_job_chunks (job_id, chunk_no, item_count, items, duplicates) FROM STDIN',
    );
    this.finished = new Promise<void>((resolve, reject) => {
      stream.on('finish', () => resolve());
      stream.on('error', reject);
    });
    this.finished.catch(() => undefined);
    this.stream = stream;
    return stream;
  }
}

export type ChunkWriter = ChunkSink & { close(): Promise<void>; abort(e: Error): Promise<void> };
