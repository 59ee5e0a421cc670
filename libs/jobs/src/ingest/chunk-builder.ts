import { KeySet } from './key-set';
import { RawJsonItem } from './ndjson';
import { tooManyItems } from './upload-limits';

/** One chunk of a job as ingested: its items as one JSON array, and which of them repeat a key. */
export interface NewChunk {
  chunkNo: number;
  itemCount: number;
  items: string;
  duplicates: number[];
}

/** A job's items: a parsed JSON array, or batches of items as a streamed upload arrives. */
export type ItemSource = Iterable<unknown> | AsyncIterable<readonly unknown[]>;

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
    const key = this.keys
      ? dedupeKey(item instanceof RawJsonItem ? item.value : item, this.dedupeField!)
      : null;
    if (key !== null && !this.keys!.add(key)) this.duplicates.push(this.pending.length);
    this.pending.push(item);
    this.count++;
    return this.pending.length >= this.chunkSize ? this.flush() : undefined;
  }

  /**
   * Adds every item of a source, refusing more than `max` (`onTooMany` says how): a JSON array's
   * items one by one, a streamed upload's in the batches it arrives in.
   */
  async addAll(items: ItemSource, max: number, onTooMany: () => Error): Promise<void> {
    if (Symbol.iterator in items) return this.addBatch(items, max, onTooMany);
    for await (const batch of items) await this.addBatch(batch, max, onTooMany);
  }

  private async addBatch(batch: Iterable<unknown>, max: number, onTooMany: () => Error) {
    for (const item of batch) {
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
  if (!items.some((i) => i instanceof RawJsonItem)) return JSON.stringify(items);
  // As JSON.stringify writes array elements: undefined (and functions) become null.
  const parts = items.map((i) =>
    i instanceof RawJsonItem ? i.json : ((JSON.stringify(i) as string | undefined) ?? 'null'),
  );
  return `[${parts.join(',')}]`;
}

/** The value that makes two items of one job the same target, if the item has a usable one. */
export function dedupeKey(value: unknown, field: string): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const key = (value as Record<string, unknown>)[field];
  const text = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : null;
  return text !== null && text.length <= MAX_KEY_LENGTH ? text : null;
}

/**
 * Every item of `items` in chunks of `chunkSize` for `sink`, duplicates of `dedupeField` marked, at
 * most `maxItems` of them (BULK_MAX_ITEMS, else 400); answers how many there were.
 */
export async function chunkItems(
  sink: ChunkSink,
  items: ItemSource,
  o: { chunkSize: number; maxItems: number; dedupeField?: string },
): Promise<number> {
  const builder = new ChunkBuilder(sink, o.chunkSize, o.dedupeField);
  await builder.addAll(items, o.maxItems, () => tooManyItems(o.maxItems));
  await builder.close();
  return builder.count;
}
