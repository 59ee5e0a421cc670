import { AsyncLocalStorage } from 'node:async_hooks';

/** The id of the request being handled, for every line logged while handling it. */
const requestIds = new AsyncLocalStorage<string>();

/** Runs `fn` (the rest of the request's middleware chain) with `reqId` as the current request. */
export function runWithRequestId<T>(reqId: string, fn: () => T): T {
  return requestIds.run(reqId, fn);
}

/** `{ reqId }` inside a request, `{}` elsewhere (start-up, workers, timers). */
export function requestLogFields(): { reqId?: string } {
  const reqId = requestIds.getStore();
  return reqId === undefined ? {} : { reqId };
}
