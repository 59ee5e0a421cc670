import { bulkConfig } from '@app/common';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  BulkJobChunksRepository,
  type ClaimedNextChunk,
} from '../repositories/bulk-job-chunks.repository';
import { fairOrder, jobKey, type Rotation } from './fair-order';

/** A claimed chunk and the job it belongs to. */
export interface Claim {
  jobId: string;
  chunk: ClaimedNextChunk;
}

/**
 * Why nothing was claimed: `blocked` when chunks wait but their tenants hold every slot (the turn
 * must come back later), `idle` when every pending chunk is already being applied (the turn is spent).
 */
export type NoClaim = 'blocked' | 'idle';

/** The tenant ran out of slots between counting and claiming: roll back and choose again. */
export class TenantSlotsTaken extends Error {
  constructor(readonly tenantId: string) {
    super(`tenant ${tenantId} has no free chunk slot`);
  }
}

/** Tenants remembered for round robin; beyond this the oldest are forgotten (they restart at the front). */
const ROTATION_MEMORY = 10_000;

/**
 * Picks the chunk a free worker applies next, inside the worker's transaction: fair across tenants,
 * then across a tenant's jobs (see `fairOrder`), within TENANT_MAX_CONCURRENT_CHUNKS per tenant.
 * The round-robin position is this process's; Postgres decides what is pending and what runs.
 */
@Injectable()
export class FairScheduler {
  private lastTenant: string | null = null;
  private readonly lastJobs = new Map<string, string>();

  constructor(
    private readonly chunks: BulkJobChunksRepository,
    @Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>,
  ) {}

  private get rotation(): Rotation {
    return {
      lastTenant: this.lastTenant,
      lastJobOf: (tenantId) => this.lastJobs.get(tenantId) ?? null,
    };
  }

  /** Must run inside a transaction: the chunk lock and the tenant slot last until it ends. */
  async claim(skipTenants: ReadonlySet<string> = new Set()): Promise<Claim | NoClaim> {
    const max = this.config.tenantMaxConcurrentChunks;
    const turns = fairOrder(await this.chunks.schedulable(), this.rotation, max);
    let blocked = false;
    for (const turn of turns) {
      if (turn.atLimit || skipTenants.has(turn.tenantId)) {
        blocked = true;
        continue;
      }
      for (const job of turn.jobs) {
        const chunk = await this.chunks.claimNext(job.id, max);
        if (!chunk) continue;
        if (chunk.slot === null) throw new TenantSlotsTaken(turn.tenantId);
        this.served(turn.tenantId, jobKey(job));
        return { jobId: job.id, chunk };
      }
    }
    return blocked ? 'blocked' : 'idle';
  }

  private served(tenantId: string, key: string): void {
    this.lastTenant = tenantId;
    this.lastJobs.delete(tenantId);
    this.lastJobs.set(tenantId, key);
    if (this.lastJobs.size > ROTATION_MEMORY) {
      this.lastJobs.delete(this.lastJobs.keys().next().value!);
    }
  }
}
