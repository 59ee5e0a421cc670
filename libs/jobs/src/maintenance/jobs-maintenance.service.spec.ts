import { describe, expect, it, vi } from 'vitest';
import type { JobItemsService } from '../items/job-items.service';
import type { JobDispatcher } from '../queueing/job-dispatcher.service';
import type { JobLifecycleService } from '../records/job-lifecycle.service';
import type { JobRecords, StaleJob } from '../records/job-records.service';
import type { TenantQuotas } from '../scheduling/tenant-quotas.service';
import { JobsMaintenanceService } from './jobs-maintenance.service';

describe('JobsMaintenanceService.reconcile', () => {
  const traced: StaleJob = {
    id: 'job_traced',
    atomic: false,
    status: 'processing',
    traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  };
  const untraced: StaleJob = {
    id: 'job_plain',
    atomic: true,
    status: 'pending',
    traceContext: null,
  };

  const setup = () => {
    const ensureJob = vi.fn((_id: string, _atomic: boolean, chunks: number[]) =>
      Promise.resolve(chunks.length),
    );
    const service = new JobsMaintenanceService(
      { staleActive: () => Promise.resolve([traced, untraced]) } as unknown as JobRecords,
      {
        pendingChunkNos: (id: string) => Promise.resolve(id === traced.id ? [1, 2] : [0]),
      } as unknown as JobItemsService,
      {} as JobLifecycleService,
      { ensureJob } as unknown as JobDispatcher,
      {} as TenantQuotas,
    );
    return { service, ensureJob };
  };

  it('re-enqueues pending chunks with the trace context stored with each job', async () => {
    const { service, ensureJob } = setup();
    expect(await service.reconcile(15)).toEqual({ jobs: 2, requeued: 3 });
    expect(ensureJob.mock.calls).toEqual([
      [traced.id, false, [1, 2], traced.traceContext],
      [untraced.id, true, [0], null],
    ]);
  });
});
