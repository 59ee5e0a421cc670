import { authConfig } from '@app/common';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Holds only SHA-256 digests of the configured keys and compares a presented key with every one of
 * them in constant time, so neither timing nor memory dumps reveal a key.
 */
@Injectable()
export class ApiKeyStore implements OnModuleInit {
  private readonly logger = new Logger('Auth');
  private readonly entries: { tenantId: string; digest: Buffer }[];

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
    const presented = digest(key);
    let match: string | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(presented, entry.digest) && match === undefined) match = entry.tenantId;
    }
    return match;
  }

  isAdmin(key: string): boolean {
    const admin = this.config.adminApiKey;
    return admin !== undefined && timingSafeEqual(digest(key), digest(admin));
  }
}
