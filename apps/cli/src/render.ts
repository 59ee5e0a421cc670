import {
  BulkRestError,
  describeNetworkError,
  JobWaitTimeoutError,
  type BulkJob,
  type BulkJobItem,
  type Order,
} from '@app/sdk';
import { UsageError } from './args';

export const EXIT = { ok: 0, error: 1, usage: 2, failedItems: 3 } as const;

/** A readable error on stderr and its exit code. */
export function renderError(e: unknown, baseUrl: string): { text: string; code: number } {
  if (e instanceof UsageError) {
    return { text: `error: ${e.message}\nRun 'bulk-rest --help' for usage.\n`, code: EXIT.usage };
  }
  if (e instanceof BulkRestError) {
    const p = e.problem;
    const lines = [
      `error: ${p?.title ?? 'Request failed'} (HTTP ${e.status}${p?.code ? `, ${p.code}` : ''})`,
    ];
    if (p?.detail) lines.push(`  ${p.detail}`);
    for (const err of p?.errors ?? []) lines.push(`  - ${err.field}: ${err.message}`);
    if (!p) lines.push(`  ${e.message}`);
    if (e.status === 401) lines.push('  hint: pass --key or set BULK_REST_API_KEY');
    const retryAfter = e.response?.headers.get('retry-after');
    if (retryAfter) lines.push(`  retry after ${retryAfter}s`);
    return { text: `${lines.join('\n')}\n`, code: EXIT.error };
  }
  if (e instanceof JobWaitTimeoutError) {
    return {
      text: `error: gave up waiting: job ${e.jobId} still ${e.lastStatus ?? 'running'} after ${Math.round(e.timeoutMs / 1000)}s\n`,
      code: EXIT.error,
    };
  }
  if (e instanceof TypeError && e.message === 'fetch failed') {
    return {
      text: `error: cannot reach ${baseUrl}: ${describeNetworkError(e)}\n`,
      code: EXIT.error,
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { text: `error: ${message}\n`, code: EXIT.error };
}

/** Exit code for a finished job: 0 when every item succeeded, 3 otherwise. */
export const jobExitCode = (job: BulkJob): number =>
  job.status === 'completed' && job.failed === 0 ? EXIT.ok : EXIT.failedItems;

const TERMINAL = ['completed', 'failed', 'cancelled'];

export function jobDetails(job: BulkJob): string {
  const rows: [string, string | null | undefined][] = [
    ['id', job.id],
    ['operation', job.operation + (job.atomic ? ' (atomic)' : '')],
    ['status', `${job.status} (${job.progress}%)`],
    [
      'items',
      `${job.total_items} total, ${job.processed_items} processed, ${job.succeeded} succeeded, ${job.failed} failed`,
    ],
    ['created', job.created_at],
    ['started', job.started_at],
    ['completed', job.completed_at],
    ['expires', job.expires_at],
    ['retry of', job.retry_of],
    ['webhook', job.webhook_url],
    ['results', job.result_url],
    ['error', job.error ? `${job.error.code}: ${job.error.message}` : null],
  ];
  return (
    rows
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k.padEnd(10)} ${v}`)
      .join('\n') + '\n'
  );
}

export function jobSummary(job: BulkJob, elapsedMs?: number): string {
  const took = elapsedMs !== undefined ? ` in ${(elapsedMs / 1000).toFixed(1)}s` : '';
  const head = TERMINAL.includes(job.status)
    ? `Job ${job.id} ${job.status}${took}`
    : `Job ${job.id} is ${job.status}`;
  const error = job.error ? `\nJob error: ${job.error.code}: ${job.error.message}` : '';
  return `${head}: ${job.total_items} items, ${job.succeeded} succeeded, ${job.failed} failed${error}\n`;
}

export function failedItemsText(items: BulkJobItem[], total: number): string {
  if (items.length === 0) return '';
  const lines = items.map(
    (i) =>
      `  #${i.index}${i.id ? ` ${i.id}` : ''}${i.ref ? ` (ref ${i.ref})` : ''}: ${i.error?.code ?? i.status}${i.error?.message ? ` - ${i.error.message}` : ''}`,
  );
  const more = total > items.length ? `  … and ${total - items.length} more\n` : '';
  return `Failed items${total > items.length ? ` (first ${items.length})` : ''}:\n${lines.join('\n')}\n${more}`;
}

const fractionDigits = new Map<string, number>();
/** Minor units as a decimal amount in the currency's own precision (JPY 0, EUR 2, KWD 3). */
export function formatAmount(amount: number, currency: string): string {
  let digits = fractionDigits.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigits.set(currency, digits);
  }
  return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
}

export const ORDER_HEADER = ['ID', 'STATUS', 'AMOUNT', 'CUSTOMER', 'CREATED'];
const WIDTHS = [26, 10, 16, 20];

export function orderRow(cells: string[]): string {
  return (
    cells
      .map((c, i) =>
        i === 2 ? c.padStart(WIDTHS[i]) + '  ' : i < WIDTHS.length ? c.padEnd(WIDTHS[i]) + '  ' : c,
      )
      .join('')
      .trimEnd() + '\n'
  );
}

export const orderCells = (o: Order): string[] => [
  o.id,
  o.status,
  formatAmount(o.amount, o.currency),
  o.customer_id,
  o.created_at,
];
