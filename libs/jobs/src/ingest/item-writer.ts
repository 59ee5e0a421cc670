import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';

/** COPY text format: backslash, tab, newline and carriage return must be escaped. */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

const FLUSH_CHARS = 256 * 1024;

/**
 * Streams items into `bulk_job_items` with one `COPY … FROM STDIN` inside the caller's transaction,
 * honouring back-pressure, so a million-line upload is never held in memory.
 */
export class ItemWriter {
  count = 0;
  private stream?: ReturnType<typeof copyFrom>;
  private finished?: Promise<void>;
  private pending = '';

  constructor(
    private readonly manager: EntityManager,
    private readonly jobId: string,
    private readonly dedupeField: string | undefined,
  ) {}

  async add(value: unknown): Promise<void> {
    const obj =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    const ref = obj && typeof obj.ref === 'string' ? copyText(obj.ref) : '\\N';
    const key = obj && this.dedupeField ? obj[this.dedupeField] : undefined;
    // An over-long key cannot be a valid id (the item fails validation) and would not fit the index.
    const keyText = typeof key === 'string' || typeof key === 'number' ? String(key) : undefined;
    const dedupe = keyText !== undefined && keyText.length <= 255 ? copyText(keyText) : '\\N';
    this.pending += `${this.jobId}\t${this.count}\t${copyText(JSON.stringify(value ?? null))}\t${ref}\t${dedupe}\n`;
    this.count++;
    if (this.pending.length >= FLUSH_CHARS) await this.write();
  }

  /** Ends the COPY; the rows become visible with the surrounding transaction's commit. */
  async close(): Promise<void> {
    if (!this.stream && !this.pending) return;
    await this.write();
    this.stream?.end();
    await this.finished;
  }

  /** Cancels the COPY (CopyFail) so the transaction can roll back cleanly. */
  async abort(error: Error): Promise<void> {
    if (!this.stream) return;
    this.stream.destroy(error);
    await this.finished?.catch(() => undefined);
  }

  private async write(): Promise<void> {
    if (!this.pending) return;
    const stream = this.stream ?? (await this.open());
    const chunk = this.pending;
    this.pending = '';
    if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), this.finished]);
  }

  private async open(): Promise<ReturnType<typeof copyFrom>> {
    const runner = this.manager.queryRunner;
    if (!runner) throw new Error('ItemWriter needs a transaction-bound EntityManager');
    const client = (await runner.connect()) as PoolClient;
    const stream = client.query(
      copyFrom('COPY bulk_job_items (job_id, idx, payload, ref, dedupe_key) FROM STDIN'),
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
