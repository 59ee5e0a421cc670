import type { EntityManager } from 'typeorm';

const BATCH = 2000;

export interface ItemRow {
  payload: string;
  ref: string | null;
  dedupeKey: string | null;
}

/** Appends items to a job with one multi-row INSERT per batch (never one statement per item). */
export class ItemWriter {
  private batch: ItemRow[] = [];
  count = 0;

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
    const ref = obj && typeof obj.ref === 'string' ? obj.ref : null;
    const key = obj && this.dedupeField ? obj[this.dedupeField] : undefined;
    this.batch.push({
      payload: JSON.stringify(value ?? null),
      ref,
      dedupeKey: typeof key === 'string' || typeof key === 'number' ? String(key) : null,
    });
    if (this.batch.length >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.batch.length) return;
    const rows = this.batch;
    this.batch = [];
    const start = this.count;
    this.count += rows.length;
    await this.manager.query(
      `INSERT INTO bulk_job_items (job_id, idx, payload, ref, dedupe_key)
       SELECT $1, $2::int + t.ord - 1, t.payload::jsonb, t.ref, t.dk
         FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(payload, ref, dk, ord)`,
      [
        this.jobId,
        start,
        rows.map((r) => r.payload),
        rows.map((r) => r.ref),
        rows.map((r) => r.dedupeKey),
      ],
    );
  }
}
