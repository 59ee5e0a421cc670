import type { Job, Queue } from 'bull';

/**
 * Works `queue` in this process: `handler` for the jobs named `name` (`'*'`: every name), at most
 * `concurrency` at once. This is Bull's public `process()`, for a concurrency that comes from
 * injected config: @nestjs/bull takes it only from `@Process({ concurrency })`, evaluated when the
 * file loads. Call it from `onModuleInit` of a provider that injects the queue and the config.
 * Bull adds up the concurrency of named handlers: one `'*'` handler keeps `concurrency` the ceiling.
 */
export function processQueue<T>(
  queue: Queue<T>,
  name: string,
  concurrency: number,
  handler: (job: Job<T>) => Promise<unknown>,
): void {
  // Settles only when the queue closes; Bull reports failures of its loop as `error` events
  // (QueueErrorsListener logs them), and rejects with nothing when closed before the loop started.
  queue.process(name, concurrency, handler).catch(() => undefined);
}
