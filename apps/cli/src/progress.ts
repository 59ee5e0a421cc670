import type { BulkJob } from '@app/sdk';

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const rateText = (rate: number | undefined) =>
  rate === undefined ? '– items/s' : `${rate >= 100 ? Math.round(rate) : rate.toFixed(1)} items/s`;

/**
 * Progress of a job on stderr: a redrawn bar on a TTY (items/s, ETA), otherwise a plain line at
 * most every `intervalMs` and on every status change.
 */
export class ProgressReporter {
  private readonly samples: { at: number; processed: number }[] = [];
  private lastLineAt = -Infinity;
  private lastStatus?: string;
  private drawn = false;

  constructor(
    private readonly out: ProgressStream,
    private readonly options: { intervalMs?: number; now?: () => number; windowMs?: number } = {},
  ) {}

  private now() {
    return (this.options.now ?? Date.now)();
  }

  /** Items per second over the last `windowMs` (default 10 s); undefined until measurable. */
  rate(): number | undefined {
    if (this.samples.length < 2) return undefined;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const seconds = (last.at - first.at) / 1000;
    if (seconds <= 0) return undefined;
    return (last.processed - first.processed) / seconds;
  }

  line(job: BulkJob): string {
    const rate = this.rate();
    const remaining = job.total_items - job.processed_items;
    const eta =
      job.status === 'processing' && rate && rate > 0
        ? ` · ETA ${formatDuration((remaining / rate) * 1000)}`
        : '';
    const counts = `${job.processed_items}/${job.total_items} items`;
    const failed = job.failed ? ` · ${job.failed} failed` : '';
    return `${job.id} ${job.status} ${job.progress}% · ${counts}${failed} · ${rateText(rate)}${eta}`;
  }

  bar(job: BulkJob): string {
    const width = 24;
    const filled = Math.round((Math.min(100, Math.max(0, job.progress)) / 100) * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  }

  update(job: BulkJob): void {
    const at = this.now();
    this.samples.push({ at, processed: job.processed_items });
    const windowMs = this.options.windowMs ?? 10_000;
    while (this.samples.length > 2 && at - this.samples[0].at > windowMs) this.samples.shift();
    if (this.out.isTTY) {
      const text = `${this.bar(job)} ${this.line(job)}`;
      const columns = this.out.columns ?? 120;
      this.out.write(`\r\x1b[2K${text.length > columns - 1 ? text.slice(0, columns - 1) : text}`);
      this.drawn = true;
      return;
    }
    const changed = job.status !== this.lastStatus;
    if (changed || at - this.lastLineAt >= (this.options.intervalMs ?? 5000)) {
      this.out.write(`${this.line(job)}\n`);
      this.lastLineAt = at;
    }
    this.lastStatus = job.status;
  }

  /** Ends the bar's line (TTY). */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
