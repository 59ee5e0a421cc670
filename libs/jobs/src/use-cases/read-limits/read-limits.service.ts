import { getRequestRateLimit, UploadSlots } from '@app/common';
import { Injectable } from '@nestjs/common';
import type { LimitDto, LimitName, LimitsDto } from '../../http/dto/limits.dto';
import { FairScheduler } from '../../scheduling/fair-scheduler.service';
import { TenantQuotas } from '../../scheduling/tenant-quotas.service';

function limit(
  name: LimitName,
  max: number | null,
  used: number,
  resetAt: Date | null = null,
): LimitDto {
  return {
    name,
    limit: max,
    used,
    remaining: max === null ? null : Math.max(0, max - used),
    reset_at: resetAt?.toISOString() ?? null,
  };
}

/**
 * A tenant's quotas with what it uses of each, so that a client can slow down before a 429. The
 * request count is the one the rate limiter made for this very request (the same figures as its
 * `RateLimit` header); the others are asked of the rooms that enforce them.
 */
@Injectable()
export class ReadLimits {
  constructor(
    private readonly quotas: TenantQuotas,
    private readonly scheduler: FairScheduler,
    private readonly uploads: UploadSlots,
  ) {}

  async forTenant(tenantId: string): Promise<LimitsDto> {
    const rate = getRequestRateLimit();
    const usage = await this.quotas.usage(tenantId);
    const chunks = await this.scheduler.tenantChunks(tenantId);
    return {
      data: [
        rate ? limit('requests', rate.limit, rate.used, rate.resetAt) : limit('requests', null, 0),
        limit('active_jobs', usage.activeJobs.limit, usage.activeJobs.used),
        limit(
          'items_per_day',
          usage.itemsToday.limit,
          usage.itemsToday.used,
          usage.itemsToday.resetsAt,
        ),
        limit('concurrent_uploads', this.uploads.limit, this.uploads.used(tenantId)),
        limit('concurrent_chunks', chunks.limit, chunks.running),
      ],
    };
  }
}
