import { ProblemCode, ProblemException } from '@app/common';
import { Injectable, Logger } from '@nestjs/common';

/** Wrong operator keys one client address may present per window before it is refused outright. */
export const ADMIN_FAILURES_PER_WINDOW = 10;
const WINDOW_MS = 60_000;
/** Bounds memory under a spray from many addresses; expired windows are dropped first. */
const MAX_TRACKED = 10_000;

/**
 * Limits guessing of ADMIN_API_KEY on the operator endpoints (`/admin/*`, `/metrics`): after
 * 10 wrong keys from one client address in a minute, every request from it is answered 429 with
 * Retry-After until the minute ends, the right key included (otherwise guessing would go on).
 * Counted in this process's memory, not in Redis: it must hold while Redis is failing over, and
 * it is a brake on guessing, not a quota.
 */
@Injectable()
export class AdminAttemptsLimiter {
  private readonly logger = new Logger('Operators');
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  /** The 429 to answer while `address` is over its budget, else undefined. */
  refusal(address: string): ProblemException | undefined {
    const w = this.current(address);
    if (!w || w.failures < ADMIN_FAILURES_PER_WINDOW) return undefined;
    const seconds = Math.max(1, Math.ceil((w.endsAt - Date.now()) / 1000));
    return new ProblemException(
      429,
      ProblemCode.RateLimited,
      `Too many wrong operator keys from this address; retry in ${seconds} s`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }

  /** Counts a wrong key and logs it (never the key itself). */
  recordFailure(address: string, where: string): void {
    const now = Date.now();
    let w = this.current(address);
    if (!w) {
      if (this.windows.size >= MAX_TRACKED) this.prune(now);
      w = { failures: 0, endsAt: now + WINDOW_MS };
      this.windows.set(address, w);
    }
    w.failures += 1;
    this.logger.warn(
      `wrong operator key from ${address} on ${where} ` +
        `(${w.failures} of ${ADMIN_FAILURES_PER_WINDOW} allowed this minute)`,
    );
  }

  private current(address: string) {
    const w = this.windows.get(address);
    if (w && w.endsAt <= Date.now()) {
      this.windows.delete(address);
      return undefined;
    }
    return w;
  }

  private prune(now: number): void {
    for (const [address, w] of this.windows) if (w.endsAt <= now) this.windows.delete(address);
    // Still full: forget the oldest entries (Map keeps insertion order).
    for (const address of this.windows.keys()) {
      if (this.windows.size < MAX_TRACKED) break;
      this.windows.delete(address);
    }
  }
}
