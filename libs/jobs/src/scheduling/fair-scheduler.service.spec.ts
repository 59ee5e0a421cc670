import { describe, expect, it, vi } from 'vitest';
import type {
  TenantSlotsRepository,
  ClaimedNextChunk,
  SchedulableJob,
} from './tenant-slots.repository';
import { FairScheduler, TenantSlotsTaken } from './fair-scheduler.service';

const job = (id: string, tenantId: string, at: number): SchedulableJob => ({
  id,
  tenantId,
  priority: 'normal',
  createdAt: new Date(at),
  tenantRunning: 0,
});
const chunk = (tenantId: string, slot: number | null = 0) =>
  ({ chunkNo: 0, tenantId, slot }) as unknown as ClaimedNextChunk;

function setup(jobs: SchedulableJob[], claimable: Set<string>, slots = new Map<string, number>()) {
  const repo = {
    schedulable: vi.fn(() => Promise.resolve(jobs)),
    claimNext: vi.fn((jobId: string) => {
      if (!claimable.has(jobId)) return Promise.resolve(null);
      const tenant = jobs.find((j) => j.id === jobId)!.tenantId;
      return Promise.resolve(chunk(tenant, slots.has(tenant) ? null : 0));
    }),
  };
  const scheduler = new FairScheduler(
    repo as unknown as TenantSlotsRepository,
    {
      tenantMaxConcurrentChunks: 4,
    } as never,
  );
  return { scheduler, repo };
}

describe('FairScheduler', () => {
  it('takes turns between tenants, reading the schedulable jobs once for several claims', async () => {
    const jobs = [job('a1', 'a', 1), job('b1', 'b', 2)];
    const { scheduler, repo } = setup(jobs, new Set(['a1', 'b1']));
    const claimed = [];
    for (let i = 0; i < 4; i++)
      claimed.push(((await scheduler.claim()) as { jobId: string }).jobId);
    expect(claimed).toEqual(['a1', 'b1', 'a1', 'b1']);
    expect(repo.schedulable).toHaveBeenCalledTimes(1);
  });

  it("counts its own claims and releases against the last read's running chunks", async () => {
    // Both tenants idle at the read; this process's claim of a's chunk makes b go first next,
    // whatever the rotation says, until a's chunk ends.
    const jobs = [job('a1', 'a', 1), job('b1', 'b', 2)];
    const { scheduler } = setup(jobs, new Set(['a1', 'b1']));
    const first = (await scheduler.claim()) as { jobId: string };
    expect(first.jobId).toBe('a1');
    const second = (await scheduler.claim()) as { jobId: string };
    expect(second.jobId).toBe('b1');
    scheduler.release('b');
    // a still runs one chunk, b none: b again, although the rotation would give a its turn.
    expect(((await scheduler.claim()) as { jobId: string }).jobId).toBe('b1');
    scheduler.release('a');
    scheduler.release('b');
    expect(((await scheduler.claim()) as { jobId: string }).jobId).toBe('a1');
  });

  it('reads again at once for a turn of a job the last read did not know (a new job)', async () => {
    const jobs = [job('a1', 'a', 1)];
    const { scheduler, repo } = setup(jobs, new Set(['a1', 'b1']));
    repo.schedulable.mockImplementation(() => Promise.resolve([...jobs])); // each read a snapshot
    expect(((await scheduler.claim(new Set(), 'a1')) as { jobId: string }).jobId).toBe('a1');
    // Another tenant's job is accepted within the read's lifetime; its first turn sees it.
    jobs.push(job('b1', 'b', 2));
    expect(((await scheduler.claim(new Set(), 'b1')) as { jobId: string }).jobId).toBe('b1');
    expect(repo.schedulable).toHaveBeenCalledTimes(2);
    // A turn of a known job within the lifetime reads nothing.
    await scheduler.claim(new Set(), 'a1');
    expect(repo.schedulable).toHaveBeenCalledTimes(2);
  });

  it('reads again before answering that nothing is left to claim', async () => {
    const claimable = new Set(['a1']);
    const { scheduler, repo } = setup([job('a1', 'a', 1)], claimable);
    await scheduler.claim();
    claimable.clear();
    expect(await scheduler.claim()).toBe('idle');
    expect(repo.schedulable).toHaveBeenCalledTimes(2);
  });

  it('throws when the tenant lost its last slot to another worker, and reads again next time', async () => {
    const { scheduler, repo } = setup([job('a1', 'a', 1)], new Set(['a1']), new Map([['a', 1]]));
    await expect(scheduler.claim()).rejects.toBeInstanceOf(TenantSlotsTaken);
    expect(await scheduler.claim(new Set(['a']))).toBe('blocked');
    expect(repo.schedulable).toHaveBeenCalledTimes(2);
  });
});
