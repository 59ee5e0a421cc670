import { describe, expect, it, vi } from 'vitest';
import type { TenantQuotasRepository } from './tenant-quotas.repository';
import { nextUtcMidnight, secondsToUtcMidnight, TenantQuotas } from './tenant-quotas.service';

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
    // No daily limit set: the items are counted all the same, against no limit.
    expect(ok.repo.addItemsToday).toHaveBeenCalledWith('t', 10, Number.MAX_SAFE_INTEGER);
    expect(ok.counted.today).toBe(10);
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

  it('reports each limit with what the tenant uses of it', async () => {
    const limited = setup(2, 40, { jobs: 3, items: 100 });
    const usage = await limited.quotas.usage('t');
    expect(limited.repo.activeCount).toHaveBeenCalledWith('t');
    expect(limited.repo.itemsToday).toHaveBeenCalledWith('t');
    expect(usage.activeJobs).toEqual({ limit: 3, used: 2 });
    expect(usage.itemsToday).toMatchObject({ limit: 100, used: 40 });
    expect(usage.itemsToday.resetsAt.toISOString()).toMatch(/T00:00:00\.000Z$/);
    const unlimited = await setup(0, 7, { jobs: 3, items: null }).quotas.usage('t');
    expect(unlimited.itemsToday).toMatchObject({ limit: null, used: 7 });
  });

  it('measures the wait to the next UTC midnight', () => {
    expect(nextUtcMidnight(new Date('2026-12-02T23:59:30Z')).toISOString()).toBe(
      '2026-12-03T00:00:00.000Z',
    );
    expect(nextUtcMidnight(new Date('2026-12-31T00:00:00Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
    expect(secondsToUtcMidnight(new Date('2026-12-02T23:59:30Z'))).toBe(30);
    expect(secondsToUtcMidnight(new Date('2026-12-02T00:00:00Z'))).toBe(86_400);
  });
});
