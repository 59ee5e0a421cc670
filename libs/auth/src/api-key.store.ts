import { authConfig } from '@app/common';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Verified keys kept (least recently used evicted first); far more than tenants have keys. */
const RESOLVED_CACHE_SIZE = 1000;

/**
 * Compares a presented key with the SHA-256 digests of the configured keys, every one of them in
 * constant time, so that timing does not reveal how much of a guess was right.
 */
@Injectable()
export class ApiKeyStore implements OnModuleInit {
  private readonly logger = new Logger('Auth');
  private readonly entries: { tenantId: string; digest: Buffer }[];
  /**
   * Keys already verified, so that a request does not hash its key again (a SHA-256 and a
   * comparison per configured key on every request). Only keys that matched are cached: a guess
   * always takes the constant-time path. The configured keys are in this process's memory anyway.
   */
  private readonly resolved = new Map<string, string>();

  constructor(@Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>) {
    this.entries = config.keys.map((k) => ({ tenantId: k.tenantId, digest: digest(k.key) }));
  }

  onModuleInit(): void {
    if (this.config.usingDevKey) {
      this.logger.warn(
        'API_KEYS is not set: development tenant "demo" accepts "Authorization: Bearer demo-key"',
      );
    } else {
      this.logger.log(
        `API keys configured for tenants: ${[...new Set(this.entries.map((e) => e.tenantId))].join(', ')}`,
      );
    }
  }

  /** The tenant that owns `key`, or undefined. */
  resolve(key: string): string | undefined {
    const known = this.resolved.get(key);
    if (known !== undefined) {
      // Most recently used last: the oldest entry is the first the size bound evicts.
      this.resolved.delete(key);
      this.resolved.set(key, known);
      return known;
    }
    const presented = digest(key);
    let match: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, entry.digest) && match === undefined) match = entry.tenantId;
    }
    if (match !== undefined) {
      this.resolved.set(key, match);
      if (this.resolved.size > RESOLVED_CACHE_SIZE) {
        this.resolved.delete(this.resolved.keys().next().value as string);
      }
    }
    return match;
  }

  isAdmin(key: string): boolean {
    const admin = this.config.adminApiKey;
    return admin !== undefined && timingSafeEqual(digest(key), digest(admin));
  }
}
