import type { TraceCarrier } from '@app/telemetry';
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Job, JobOptions, Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import {
  atomicJobId,
  BULK_QUEUE,
  chunkJobId,
  JobName,
  QUEUE_SETTINGS,
  type ChunkPayload,
  WEBHOOK_QUEUE,
  type JobNameOf,
  type JobPayloads,
} from './job-queues';

/** One unit of work for a queue, typed by its job name. */
interface Work<N extends JobNameOf> {
  name: N;
  data: JobPayloads[N];
  opts: JobOptions & { jobId: string };
}

const work = <N extends JobNameOf>(
  name: N,
  data: JobPayloads[N],
  jobId: string,
  extra: JobOptions = {},
): Work<N> => ({
  name,
  data,
  opts: { ...extra, jobId }, // the rest is the queue's defaultJobOptions
});

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

  private units(jobId: string, atomic: boolean, chunks: number[], trace: TraceCarrier | null) {
    return atomic
      ? // At the head of the queue: an atomic job is one unit, it must not wait behind other
        // jobs' turns (chunks are picked fairly whatever the turn's place in the queue).
        [work(JobName.Atomic, { jobId, trace }, atomicJobId(jobId), { lifo: true })]
      : chunks.map((chunk) =>
          work(JobName.Chunk, { jobId, chunk, trace }, chunkJobId(jobId, chunk)),
        );
  }

  async enqueueJob(
    jobId: string,
    atomic: boolean,
    chunks: number[],
    trace: TraceCarrier | null = null,
  ): Promise<void> {
    await this.bulk.addBulk(this.units(jobId, atomic, chunks, trace));
  }

  /** Like `enqueueJob`, but also revives entries that Bull gave up on (failed after all attempts). */
  async ensureJob(
    jobId: string,
    atomic: boolean,
    chunks: number[],
    trace: TraceCarrier | null = null,
  ): Promise<number> {
    let touched = 0;
    for (const unit of this.units(jobId, atomic, chunks, trace)) touched += await this.ensure(unit);
    return touched;
  }

  /** A turn whose tenants were all at their chunk limit: taken again a moment later. */
  async requeueTurn(data: ChunkPayload): Promise<void> {
    // A fresh id: the turn it replaces is still active in Bull until this one is added.
    const later = `${chunkJobId(data.jobId, data.chunk)}:${randomUUID()}`;
    const turn = work(JobName.Chunk, data, later, {
      delay: QUEUE_SETTINGS[BULK_QUEUE].blockedRetryMs,
    });
    await this.bulk.add(turn.name, turn.data, turn.opts);
  }

  async enqueueWebhook(eventId: string, trace: TraceCarrier | null = null): Promise<void> {
    await this.webhooks.add(
      JobName.Deliver,
      { eventId, trace } satisfies JobPayloads[typeof JobName.Deliver],
      { jobId: eventId },
    );
  }

  private async ensure<N extends JobNameOf>(unit: Work<N>): Promise<number> {
    const existing: Job | null = await this.bulk.getJob(unit.opts.jobId);
    if (!existing) {
      await this.bulk.add(unit.name, unit.data, unit.opts);
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
      await this.bulk.add(unit.name, unit.data, unit.opts);
      return 1;
    }
    return 0;
  }
}
