import type { BulkRestClient } from './client';
import { JobWaitTimeoutError, unwrap } from './errors';
import { parseRetryAfter, sleep } from './retry';
import { isTerminal, type BulkJob } from './types';

export interface WaitForJobOptions {
  /** Give up (JobWaitTimeoutError) after this long. Default 10 minutes. */
  timeoutMs?: number;
  /** Long-poll length per request (`Prefer: wait=N`, capped at 60). Default 20 s; 0 polls plainly. */
  waitSeconds?: number;
  /** Called with every job state seen, e.g. to show progress. */
  onProgress?: (job: BulkJob) => void;
  signal?: AbortSignal;
}

/**
 * Waits until a bulk job is terminal (completed, failed or cancelled) and returns it. Long-polls
 * with `Prefer: wait=N` (the server answers as soon as the job changes state); when the server did
 * not hold the request (no `Preference-Applied`), sleeps for its `Retry-After` before asking again.
 */
export async function waitForJob(
  client: BulkRestClient,
  id: string,
  options: WaitForJobOptions = {},
): Promise<BulkJob> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const deadline = Date.now() + timeoutMs;
  const longPoll = Math.min(60, Math.max(0, Math.floor(options.waitSeconds ?? 20)));
  let last: BulkJob | undefined;
  for (;;) {
    const remainingMs = deadline - Date.now();
    const wait = Math.min(longPoll, Math.floor(remainingMs / 1000));
    const result = await client.GET('/bulk-jobs/{id}', {
      params: { path: { id }, header: wait > 0 ? { Prefer: `wait=${wait}` } : {} },
      signal: options.signal,
    });
    last = unwrap(result);
    options.onProgress?.(last);
    if (isTerminal(last.status)) return last;
    const left = deadline - Date.now();
    if (left <= 0) throw new JobWaitTimeoutError(id, last.status, timeoutMs);
    if (!result.response.headers.has('preference-applied')) {
      const pause = parseRetryAfter(result.response.headers.get('retry-after')) ?? 1000;
      await sleep(Math.min(pause, left), options.signal);
    }
  }
}
