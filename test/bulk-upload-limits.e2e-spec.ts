import { describe, expect, it } from 'vitest';
import { auth } from './support/test-app';
import { useTestApp } from './support/use-test-app';

/**
 * An upload with one line past BULK_MAX_LINE_BYTES or one CSV row past BULK_MAX_CSV_FIELDS is
 * refused whole: 413 naming the limit, and nothing of it stored, not even the chunks written before
 * the bad line arrived.
 */
describe('bulk upload limits', () => {
  const t = useTestApp({
    TEST_LABEL: 'upload_limits',
    RUN_WORKERS: 'false',
    BULK_MAX_LINE_BYTES: '256',
    BULK_MAX_CSV_FIELDS: '8',
    BULK_CHUNK_SIZE: '100',
  });

  const count = async (table: string) =>
    (await t.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
  const stored = async () => ({
    jobs: await count('bulk_jobs'),
    chunks: await count('bulk_job_chunks'),
  });
  const upload = (type: 'application/x-ndjson' | 'text/csv', body: string) =>
    t.http
      .post('/bulk-jobs?operation=update_orders_status')
      .set(auth())
      .set('content-type', type)
      .send(body);
  const ndjsonLine = (i: number) =>
    JSON.stringify({ id: `ord_${String(i).padStart(24, '0')}`, status: 'paid' });
  const csvRows = (n: number) =>
    Array.from({ length: n }, (_, i) => `ord_${String(i).padStart(24, '0')},paid`);
  /**
   * Valid lines before the bad one: over 64 KiB, so that the body arrives in several pieces and the
   * chunks of the first pieces are written before the bad line is read (and must be rolled back).
   */
  const BEFORE = 4000;

  it('refuses an NDJSON line longer than BULK_MAX_LINE_BYTES bytes, naming the limit and the line', async () => {
    // 100 characters of 3 bytes each: 100 characters, over 300 bytes.
    const long = JSON.stringify({ id: 'ord_long', status: 'paid', ref: '€'.repeat(100) });
    expect(long.length).toBeLessThan(256);
    expect(Buffer.byteLength(long)).toBeGreaterThan(256);
    const lines = [
      ...Array.from({ length: BEFORE }, (_, i) => ndjsonLine(i)),
      long,
      ndjsonLine(99),
    ];
    const res = await upload('application/x-ndjson', lines.join('\n') + '\n').expect(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(res.body.detail).toBe(
      'NDJSON line 4001 is longer than 256 bytes (BULK_MAX_LINE_BYTES); nothing was stored',
    );
    expect(await stored()).toEqual({ jobs: 0, chunks: 0 });
  });

  it('refuses a CSV row with more fields than BULK_MAX_CSV_FIELDS', async () => {
    const rows = ['id,status', ...csvRows(BEFORE), `ord_wide,paid${',x'.repeat(7)}`, 'ord_z,paid'];
    const res = await upload('text/csv', rows.join('\n') + '\n').expect(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(res.body.detail).toBe(
      'CSV row 4002 has more than 8 fields (BULK_MAX_CSV_FIELDS); nothing was stored',
    );
    expect(await stored()).toEqual({ jobs: 0, chunks: 0 });
  });

  it('refuses a CSV row longer than BULK_MAX_LINE_BYTES bytes', async () => {
    const rows = [
      'id,status,ref',
      ...csvRows(BEFORE).map((r) => `${r},`),
      `ord_long,paid,${'x'.repeat(300)}`,
    ];
    const res = await upload('text/csv', rows.join('\r\n')).expect(413);
    expect(res.body).toMatchObject({ status: 413, code: 'payload_too_large' });
    expect(res.body.detail).toBe(
      'CSV row 4002 is longer than 256 bytes (BULK_MAX_LINE_BYTES); nothing was stored',
    );
    expect(await stored()).toEqual({ jobs: 0, chunks: 0 });
    const list = await t.http.get('/bulk-jobs').set(auth()).expect(200);
    expect(list.body.data).toEqual([]);
  });

  it('accepts uploads whose lines and rows are within the limits', async () => {
    const atLimit = `ord_${'x'.repeat(256 - 'ord_,paid'.length)},paid`;
    expect(Buffer.byteLength(atLimit)).toBe(256);
    const csv = ['id,status', ...csvRows(25), atLimit].join('\n');
    const nd = Array.from({ length: 25 }, (_, i) => ndjsonLine(i)).join('\n');
    const a = await upload('text/csv', csv).expect(202);
    const b = await upload('application/x-ndjson', nd).expect(202);
    expect([a.body.total_items, b.body.total_items]).toEqual([26, 25]);
    expect(await stored()).toEqual({ jobs: 2, chunks: 2 });
  });
});
