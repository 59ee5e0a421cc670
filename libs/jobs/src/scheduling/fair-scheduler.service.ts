import { bulkConfig } from '@app/common';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { performance } from 'node:perf_hooks';
import {
  TenantSlotsRepository,
  type ClaimedNextChunk,
  type SchedulableJob,
  type TenantLoad,
} from './tenant-slots.repository';
import { fairOrder, jobKey, type Rotation } from './fair-order';

export type { TenantLoad } from './tenant-slots.repository';

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
 * How long one read of the schedulable jobs serves this process's claims. Jobs come and go far less
 * often than chunks: re-reading them (with the slots in use) for every chunk would cost a lone big
 * job several percent of its throughput, and a new job waits at most this long to be seen. The
 * claim itself always checks the chunk and the slot in Postgres, so a stale list never runs
 * anything twice or past a limit; a claim that finds nothing re-reads before giving up.
 */
export const SCHEDULABLE_TTL_MS = 100;

/**
 * Picks the chunk a free worker applies next, inside the worker's transaction: fair across tenants,
 * then across a tenant's jobs (see `fairOrder`), within TENANT_MAX_CONCURRENT_CHUNKS per tenant.
 * The round-robin position is this process's; Postgres decides what is pending and what runs.
 */
@Injectable()
export class FairScheduler {
  private lastTenant: string | null = null;
  private readonly lastJobs = new Map<string, string>();
  private schedulable: SchedulableJob[] = [];
  private readAt = -Infinity;
  /**
   * This process's own chunks claimed (+1) and ended (−1) since the last read, per tenant: a read's
   * running counts are otherwise stale for as long as it serves, and every claim in between would
   * see the tenants it just served as idle.
   */
  private readonly sinceRead = new Map<string, number>();

  constructor(
    private readonly slots: TenantSlotsRepository,
    @Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>,
  ) {}

  private get rotation(): Rotation {
    return {
      lastTenant: this.lastTenant,
      lastJobOf: (tenantId) => this.lastJobs.get(tenantId) ?? null,
    };
  }

  /**
   * Must run inside a transaction: the chunk lock and the tenant slot last until it ends.
   * `turnOf`: the job whose queue entry brought the worker here. One the last read does not know is
   * new (or ended since): the list is read again at once, so a new job is weighed from its first
   * turn on instead of after up to SCHEDULABLE_TTL_MS.
   */
  async claim(
    skipTenants: ReadonlySet<string> = new Set(),
    turnOf?: string,
  ): Promise<Claim | NoClaim> {
    const fresh =
      performance.now() - this.readAt > SCHEDULABLE_TTL_MS ||
      (turnOf !== undefined && !this.schedulable.some((j) => j.id === turnOf));
    if (fresh) await this.read();
    const found = await this.claimFrom(skipTenants);
    if (typeof found !== 'string' || fresh) return found;
    await this.read();
    return this.claimFrom(skipTenants);
  }

  /** The claim's transaction has ended (committed or rolled back): its slot is free again. */
  release(tenantId: string): void {
    this.adjust(tenantId, -1);
  }

  /** Waiting and running chunks per tenant with unfinished jobs, as Postgres counts them now. */
  tenantLoad(): Promise<TenantLoad[]> {
    return this.slots.tenantLoad();
  }

  /**
   * One tenant's chunks being applied now across every worker (its slots held), and the most it may
   * run at once (TENANT_MAX_CONCURRENT_CHUNKS).
   */
  async tenantChunks(tenantId: string): Promise<{ limit: number; running: number }> {
    return {
      limit: this.config.tenantMaxConcurrentChunks,
      running: await this.slots.runningFor(tenantId),
    };
  }

  private adjust(tenantId: string, by: number): void {
    const n = (this.sinceRead.get(tenantId) ?? 0) + by;
    if (n === 0) this.sinceRead.delete(tenantId);
    else this.sinceRead.set(tenantId, n);
  }

  private async read(): Promise<void> {
    this.schedulable = await this.slots.schedulable();
    this.readAt = performance.now();
    this.sinceRead.clear();
  }

  /** The last read, with this process's claims and releases since then applied to the counts. */
  private current(): SchedulableJob[] {
    if (!this.sinceRead.size) return this.schedulable;
    return this.schedulable.map((j) => {
      const by = this.sinceRead.get(j.tenantId);
      return by ? { ...j, tenantRunning: Math.max(0, j.tenantRunning + by) } : j;
    });
  }

  private async claimFrom(skipTenants: ReadonlySet<string>): Promise<Claim | NoClaim> {
    const max = this.config.tenantMaxConcurrentChunks;
    const turns = fairOrder(this.current(), this.rotation, max);
    let blocked = false;
    for (const turn of turns) {
      if (turn.atLimit || skipTenants.has(turn.tenantId)) {
        blocked = true;
        continue;
      }
      for (const job of turn.jobs) {
        const chunk = await this.slots.claimNext(job.id, max);
        if (!chunk) continue;
        if (chunk.slot === null) {
          this.readAt = -Infinity; // its count was stale: read again next time
          throw new TenantSlotsTaken(turn.tenantId);
        }
        this.served(turn.tenantId, jobKey(job));
        this.adjust(turn.tenantId, +1);
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
