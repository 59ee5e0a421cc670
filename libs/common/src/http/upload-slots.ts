import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { uploadConfig } from '../config/config.namespaces';

/**
 * Upload bodies arriving per tenant in this process (TENANT_MAX_CONCURRENT_UPLOADS). Counted here,
 * not in Redis: what an arriving upload holds (a socket, a spool file, memory) belongs to the process
 * that reads it, and the count must hold while Redis is away.
 */
@Injectable()
export class UploadSlots {
  private readonly inFlight = new Map<string, number>();
  /** `tenant\nIdempotency-Key` of the uploads arriving now. */
  private readonly keys = new Set<string>();

  constructor(@Inject(uploadConfig.KEY) private readonly config: ConfigType<typeof uploadConfig>) {}

  get limit(): number {
    return this.config.tenantMaxConcurrentUploads;
  }

  /** Uploads of `tenantId` in flight now. */
  used(tenantId: string): number {
    return this.inFlight.get(tenantId) ?? 0;
  }

  /** Takes a slot; the returned function gives it back (once). Undefined when all are taken. */
  acquire(tenantId: string): (() => void) | undefined {
    const used = this.used(tenantId);
    if (used >= this.limit) return undefined;
    this.inFlight.set(tenantId, used + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.used(tenantId) - 1;
      if (left > 0) this.inFlight.set(tenantId, left);
      else this.inFlight.delete(tenantId);
    };
  }

  /**
   * Marks an upload's Idempotency-Key as arriving; undefined when another upload of the tenant under
   * the same key is still arriving here. The key is claimed in Postgres only once the body is in
   * (no transaction waits on a client), so this is what answers a duplicate 409 meanwhile; a
   * duplicate reaching another API process is still executed at most once (Postgres decides).
   */
  holdKey(tenantId: string, key: string): (() => void) | undefined {
    const id = `${tenantId}\n${key}`;
    if (this.keys.has(id)) return undefined;
    this.keys.add(id);
    return () => void this.keys.delete(id);
  }
}
