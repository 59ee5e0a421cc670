import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import {
  atomicJobId,
  BULK_JOB_OPTIONS,
  BULK_QUEUE,
  chunkJobId,
  JobName,
  WEBHOOK_JOB_OPTIONS,
  WEBHOOK_QUEUE,
  type AtomicPayload,
  type ChunkPayload,
  type WebhookPayload,
} from './jobs.constants';

/**
 * Puts work on Redis. Every Bull jobId is derived from the bulk job (and chunk or event), so adding
 * the same work twice is a no-op: the reconciler can re-enqueue freely.
 */
@Injectable()
export class JobDispatcher {
  constructor(
    @InjectQueue(BULK_QUEUE) private readonly bulk: Queue,
    @InjectQueue(WEBHOOK_QUEUE) private readonly webhooks: Queue,
  ) {}

  async enqueueJob(jobId: string, atomic: boolean, chunks: number[]): Promise<void> {
    if (atomic) {
      await this.ensure(
        this.bulk,
        JobName.Atomic,
        { jobId } satisfies AtomicPayload,
        atomicJobId(jobId),
      );
      return;
    }
    await this.bulk.addBulk(
      chunks.map((chunk) => ({
        name: JobName.Chunk,
        data: { jobId, chunk } satisfies ChunkPayload,
        opts: { ...BULK_JOB_OPTIONS, jobId: chunkJobId(jobId, chunk) },
      })),
    );
  }

  /** Like `enqueueJob`, but also revives entries that Bull gave up on (failed after all attempts). */
  async ensureJob(jobId: string, atomic: boolean, chunks: number[]): Promise<number> {
    let touched = 0;
    if (atomic) {
      touched += await this.ensure(this.bulk, JobName.Atomic, { jobId }, atomicJobId(jobId));
    } else {
      for (const chunk of chunks) {
        touched += await this.ensure(
          this.bulk,
          JobName.Chunk,
          { jobId, chunk },
          chunkJobId(jobId, chunk),
        );
      }
    }
    return touched;
  }

  async enqueueWebhook(eventId: string): Promise<void> {
    await this.webhooks.add(JobName.Deliver, { eventId } satisfies WebhookPayload, {
      ...WEBHOOK_JOB_OPTIONS,
      jobId: eventId,
    });
  }

  private async ensure(queue: Queue, name: string, data: object, id: string): Promise<number> {
    const existing: Job | null = await queue.getJob(id);
    if (!existing) {
      await queue.add(name, data, { ...BULK_JOB_OPTIONS, jobId: id });
      return 1;
    }
    const state = await existing.getState();
    if (state === 'failed') {
      await existing.retry();
      return 1;
    }
    if (state === 'completed') {
      // Its work is still pending in Postgres (e.g. rolled back after Bull marked it done): run it again.
      await existing.remove();
      await queue.add(name, data, { ...BULK_JOB_OPTIONS, jobId: id });
      return 1;
    }
    return 0;
  }
}
