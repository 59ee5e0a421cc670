import { bulkConfig } from '@app/common';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { JobError } from '../domain/jobs.errors';
import { TenantQuotasRepository } from './tenant-quotas.repository';

/** A slot for one more job opens when one of the tenant's jobs ends: a few polling intervals. */
const ACTIVE_JOBS_RETRY_AFTER_SECONDS = 10;

/** The start of the next UTC day, when the daily item count starts again. */
export function nextUtcMidnight(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

/** Seconds until the next UTC midnight (at least 1). */
export function secondsToUtcMidnight(now = new Date()): number {
  return Math.max(1, Math.ceil((nextUtcMidnight(now).getTime() - now.getTime()) / 1000));
}

/** A tenant's admission quotas: each limit (null: none) and what is used of it now. */
export interface QuotaUsage {
  activeJobs: { limit: number; used: number };
  itemsToday: { limit: number | null; used: number; resetsAt: Date };
}

/**
 * Per-tenant admission limits: TENANT_MAX_ACTIVE_JOBS unfinished jobs and TENANT_MAX_ITEMS_PER_DAY
 * items per UTC day. Checked once before the items are read (so a refused upload is not stored) and
 * once more, serialized per tenant, just before the job commits. Items are counted per day even
 * without a daily limit, so that a tenant can see them and a limit set later starts from the truth.
 */
@Injectable()
export class TenantQuotas {
  constructor(
    private readonly quotas: TenantQuotasRepository,
    @Inject(bulkConfig.KEY) private readonly config: ConfigType<typeof bulkConfig>,
  ) {}

  /** Before any item is read: refuses at once what no set of items could make acceptable. */
  async precheck(tenantId: string, knownItems?: number): Promise<void> {
    const active = await this.quotas.activeCount(tenantId);
    if (active >= this.config.tenantMaxActiveJobs) throw this.tooManyActive();
    const perDay = this.config.tenantMaxItemsPerDay;
    if (perDay !== null && (await this.quotas.itemsToday(tenantId)) + (knownItems ?? 1) > perDay) {
      throw this.dailyLimit(perDay);
    }
  }

  /** Inside the job's transaction, its row written: admits `items` more or throws (rolling it back). */
  async admit(tenantId: string, items: number): Promise<void> {
    await this.quotas.lockAdmissions(tenantId);
    // Counts the new job too (its row is visible to its own transaction).
    if ((await this.quotas.activeCount(tenantId)) > this.config.tenantMaxActiveJobs) {
      throw this.tooManyActive();
    }
    const perDay = this.config.tenantMaxItemsPerDay;
    const max = perDay ?? Number.MAX_SAFE_INTEGER;
    if (!(await this.quotas.addItemsToday(tenantId, items, max))) {
      throw this.dailyLimit(max);
    }
  }

  /** The tenant's limits and what it uses of them now (GET /limits). */
  async usage(tenantId: string): Promise<QuotaUsage> {
    const active = await this.quotas.activeCount(tenantId);
    const today = await this.quotas.itemsToday(tenantId);
    return {
      activeJobs: { limit: this.config.tenantMaxActiveJobs, used: active },
      itemsToday: {
        limit: this.config.tenantMaxItemsPerDay,
        used: today,
        resetsAt: nextUtcMidnight(),
      },
    };
  }

  /** Drops the daily counts nothing reads any more. */
  async forgetOldDays(): Promise<void> {
    await this.quotas.deleteOldDays();
  }

  private tooManyActive(): JobError {
    const max = this.config.tenantMaxActiveJobs;
    return new JobError(
      'too_many_active_jobs',
      `This tenant already has ${max} unfinished bulk jobs (TENANT_MAX_ACTIVE_JOBS); submit more when one has ended`,
      ACTIVE_JOBS_RETRY_AFTER_SECONDS,
    );
  }

  private dailyLimit(perDay: number): JobError {
    return new JobError(
      'daily_item_limit_reached',
      `This job would take the tenant past ${perDay} items accepted today (TENANT_MAX_ITEMS_PER_DAY, UTC days)`,
      secondsToUtcMidnight(),
    );
  }
}
