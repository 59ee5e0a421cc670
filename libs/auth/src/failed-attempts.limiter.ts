import { ProblemCode, ProblemException } from '@app/common';
import { Logger } from '@nestjs/common';

/** Wrong keys one client address may present per window before it is refused outright. */
export const FAILURES_PER_WINDOW = 10;
const WINDOW_MS = 60_000;
/** Bounds memory under a spray from many addresses; expired windows are dropped first. */
const MAX_TRACKED = 10_000;

/**
 * Limits key guessing per client address: after N wrong keys from one address in a minute, every
 * request from it that presents a key is answered 429 with Retry-After until the minute ends, the
 * right key included (otherwise guessing would go on). Other addresses are never affected. Counted
 * in this process's memory, not in Redis: it must hold while Redis is failing over, and it is a
 * brake on guessing, not a quota. The address is Express's `req.ip`, which trusts X-Forwarded-For
 * only from TRUST_PROXY.
 */
export abstract class FailedAttemptsLimiter {
  private readonly logger: Logger;
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  protected constructor(
    private readonly what: string,
    private readonly perWindow = FAILURES_PER_WINDOW,
  ) {
    this.logger = new Logger(`${what[0].toUpperCase()}${what.slice(1)} keys`);
  }

  /** The 429 to answer while `address` is over its budget, else undefined. */
  refusal(address: string): ProblemException | undefined {
    const w = this.current(address);
    if (!w || w.failures < this.perWindow) return undefined;
    const seconds = Math.max(1, Math.ceil((w.endsAt - Date.now()) / 1000));
    return new ProblemException(
      429,
      ProblemCode.RateLimited,
      `Too many wrong ${this.what} keys from this address; retry in ${seconds} s`,
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
      `wrong ${this.what} key from ${address} on ${where} ` +
        `(${w.failures} of ${this.perWindow} allowed this minute)`,
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
