import type { BulkJob } from '@app/sdk';
import { describe, expect, it } from 'vitest';
import { formatDuration, ProgressReporter } from './progress';

const job = (status: BulkJob['status'], processed: number, total = 1000): BulkJob =>
  ({
    id: 'job_1',
    status,
    total_items: total,
    processed_items: processed,
    failed: 0,
    progress: Math.floor((processed / total) * 100),
  }) as BulkJob;

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 200, write: (s: string) => chunks.push(s) } };
}

describe('ProgressReporter', () => {
  it('redraws one bar line on a TTY, with items/s and ETA', () => {
    let now = 0;
    const { chunks, stream } = sink(true);
    const p = new ProgressReporter(stream, { now: () => now });
    p.update(job('processing', 0));
    now = 2000;
    p.update(job('processing', 400));
    p.finish();
    expect(chunks[1]).toBe(
      '\r\x1b[2K[##########..............] job_1 processing 40% · 400/1000 items · 200 items/s · ETA 3s',
    );
    expect(chunks.at(-1)).toBe('\n');
  });

  it('prints plain lines when not a TTY: on status changes and every interval', () => {
    let now = 0;
    const { chunks, stream } = sink(false);
    const p = new ProgressReporter(stream, { now: () => now, intervalMs: 5000 });
    p.update(job('pending', 0));
    now = 1000;
    p.update(job('processing', 100));
    now = 2000;
    p.update(job('processing', 200)); // within the interval: quiet
    now = 6500;
    p.update(job('processing', 650));
    now = 7000;
    p.update(job('completed', 1000));
    p.finish();
    expect(chunks).toEqual([
      'job_1 pending 0% · 0/1000 items · – items/s\n',
      'job_1 processing 10% · 100/1000 items · 100 items/s · ETA 9s\n',
      'job_1 processing 65% · 650/1000 items · 100 items/s · ETA 4s\n',
      'job_1 completed 100% · 1000/1000 items · 143 items/s\n',
    ]);
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(59_400)).toBe('59s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
});
