import { describe, expect, it, vi } from 'vitest';
import type { TenantQuotasRepository } from './tenant-quotas.repository';
import { secondsToUtcMidnight, TenantQuotas } from './tenant-quotas.service';

function setup(active: number, today: number, limits: { jobs: number; items: number | null }) {
  const counted = { today };
  const repo = {
    activeCount: vi.fn(() => Promise.resolve(active)),
    lockAdmissions: vi.fn(() => Promise.resolve()),
    itemsToday: vi.fn(() => Promise.resolve(counted.today)),
    addItemsToday: vi.fn((_t: string, n: number, max: number) => {
      if (counted.today + n > max) return Promise.resolve(false);
      counted.today += n;
      return Promise.resolve(true);
    }),
  };
  const quotas = new TenantQuotas(
    repo as unknown as TenantQuotasRepository,
    { tenantMaxActiveJobs: limits.jobs, tenantMaxItemsPerDay: limits.items } as never,
  );
  return { quotas, repo, counted };
}

describe('TenantQuotas', () => {
  it('refuses before reading items when the tenant already has its most unfinished jobs', async () => {
    const { quotas } = setup(3, 0, { jobs: 3, items: null });
    await expect(quotas.precheck('t')).rejects.toMatchObject({
      status: 429,
      code: 'too_many_active_jobs',
      retryAfterSeconds: 10,
    });
    await expect(setup(2, 0, { jobs: 3, items: null }).quotas.precheck('t')).resolves.toBe(
      undefined,
    );
  });

  it('admits under the per-tenant lock, counting the new job itself', async () => {
    const ok = setup(3, 0, { jobs: 3, items: null });
    await ok.quotas.admit('t', 10);
    expect(ok.repo.lockAdmissions).toHaveBeenCalledWith('t');
    expect(ok.repo.addItemsToday).not.toHaveBeenCalled(); // no daily limit set
    await expect(setup(4, 0, { jobs: 3, items: null }).quotas.admit('t', 1)).rejects.toMatchObject({
      code: 'too_many_active_jobs',
    });
  });

  it('counts items per day and refuses the job that would pass the limit, until UTC midnight', async () => {
    const s = setup(0, 90, { jobs: 10, items: 100 });
    await expect(s.quotas.precheck('t', 11)).rejects.toMatchObject({
      code: 'daily_item_limit_reached',
    });
    await s.quotas.precheck('t'); // a streamed upload: its size is not known yet
    await s.quotas.admit('t', 10);
    expect(s.counted.today).toBe(100);
    const refused = await s.quotas.admit('t', 1).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 429, code: 'daily_item_limit_reached' });
    const wait = (refused as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(86_400);
  });

  it('measures the wait to the next UTC midnight', () => {
    expect(secondsToUtcMidnight(new Date('2026-12-02T23:59:30Z'))).toBe(30);
    expect(secondsToUtcMidnight(new Date('2026-12-02T00:00:00Z'))).toBe(86_400);
  });
});
