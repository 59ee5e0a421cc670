import { describe, expect, it } from 'vitest';
import { JobError } from '../domain/jobs.errors';
import type { OperationRegistry } from '../domain/operations/operation.registry';
import type { BulkJobChunksRepository } from './bulk-job-chunks.repository';
import { JobItemsService } from './job-items.service';

describe('JobItemsService.failedItems', () => {
  const service = (chunk: { items: string } | undefined) =>
    new JobItemsService(
      {
        failuresAfter: (_id: string, after: number) =>
          Promise.resolve(after < 0 ? [{ idx: 1 }, { idx: 3 }] : []),
        readItems: () => Promise.resolve(chunk),
      } as unknown as BulkJobChunksRepository,
      {} as OperationRegistry,
    );
  const job = { id: 'job_1', chunkSize: 10 } as Parameters<JobItemsService['failedItems']>[0];
  const collect = async (s: JobItemsService) => {
    const out: unknown[] = [];
    for await (const batch of s.failedItems(job)) out.push(...batch);
    return out;
  };

  it('yields the failed items as submitted', async () => {
    const items = JSON.stringify(['a', 'b', 'c', 'd']);
    expect(await collect(service({ items }))).toEqual(['b', 'd']);
  });

  it('answers not found when the job was deleted after its failures were read', async () => {
    const error = await collect(service(undefined)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).status).toBe(404);
  });
});
