import { KeySet } from './key-set';
import { RawJsonItem } from './ndjson';

/** One chunk of a job as ingested: its items as one JSON array, and which of them repeat a key. */
export interface NewChunk {
  chunkNo: number;
  itemCount: number;
  items: string;
  duplicates: number[];
}

export interface ChunkSink {
  write(chunk: NewChunk): Promise<void>;
}

/** Keys longer than this cannot be valid ids (the item fails validation anyway); they are not tracked. */
const MAX_KEY_LENGTH = 255;

/**
 * Groups a stream of items into chunks of `chunkSize` and hands each to the sink as soon as it is
 * full, so memory holds one chunk plus the job's keys. Duplicate keys (`duplicate_item`: the same key
 * earlier in the job) are found here, exactly, while the upload streams in.
 */
export class ChunkBuilder {
  private readonly keys?: KeySet;
  /** The current chunk's items: raw NDJSON lines keep their text, so nothing is serialised twice. */
  private pending: unknown[] = [];
  private duplicates: number[] = [];
  private chunkNo = 0;
  count = 0;

  constructor(
    private readonly sink: ChunkSink,
    private readonly chunkSize: number,
    private readonly dedupeField?: string,
  ) {
    if (dedupeField) this.keys = new KeySet();
  }

  /**
   * Adds one item; returns a promise only when a full chunk goes to the sink, so a JSON array of
   * 10,000 items costs ten awaits rather than 10,000.
   */
  add(item: unknown): Promise<void> | undefined {
    const value = item instanceof RawJsonItem ? item.value : item;
    const key = this.keys ? dedupeKey(value, this.dedupeField!) : null;
    if (key !== null && !this.keys!.add(key)) this.duplicates.push(this.pending.length);
    this.pending.push(item);
    this.count++;
    return this.pending.length >= this.chunkSize ? this.flush() : undefined;
  }

  /** Adds every item of a sync or async source, refusing more than `max` (`onTooMany` decides how). */
  async addAll(
    items: Iterable<unknown> | AsyncIterable<unknown>,
    max: number,
    onTooMany: () => Error,
  ): Promise<void> {
    if (Symbol.iterator in items) {
      for (const item of items) {
        if (this.count >= max) throw onTooMany();
        const flushed = this.add(item);
        if (flushed) await flushed;
      }
      return;
    }
    for await (const item of items) {
      if (this.count >= max) throw onTooMany();
      const flushed = this.add(item);
      if (flushed) await flushed;
    }
  }

  /** Writes the last, partial chunk. */
  async close(): Promise<void> {
    if (this.pending.length) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk: NewChunk = {
      chunkNo: this.chunkNo++,
      itemCount: this.pending.length,
      items: serialise(this.pending),
      duplicates: this.duplicates,
    };
    this.pending = [];
    this.duplicates = [];
    await this.sink.write(chunk);
  }
}

/** One JSON array: raw lines joined as they came, parsed values stringified in one call. */
function serialise(items: unknown[]): string {
  if (items.every((i) => i instanceof RawJsonItem)) {
    return `[${items.map((i) => i.json).join(',')}]`;
  }
  return JSON.stringify(items.map((i) => (i instanceof RawJsonItem ? i.value : i)));
}

/** The value that makes two items of one job the same target, if the item has a usable one. */
export function dedupeKey(value: unknown, field: string): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const key = (value as Record<string, unknown>)[field];
  const text = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : null;
  return text !== null && text.length <= MAX_KEY_LENGTH ? text : null;
}
