import { queueConfig } from '@app/common';
import { processQueue } from '@app/queue';
import { runInTracedWork } from '@app/telemetry';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Queue } from 'bull';
import { JobDispatcher } from '../queueing/job-dispatcher.service';
import {
  BULK_QUEUE,
  JobName,
  QUEUE_SETTINGS,
  type BulkQueueJob,
  type ChunkPayload,
} from '../queueing/job-queues';
import { JobRunner } from './job-runner.service';

/**
 * Applies chunks and atomic jobs; delegates everything to the runner. One handler for every job name:
 * Bull adds up the concurrency of named handlers, and WORKER_CONCURRENCY must be the real ceiling.
 */
@Injectable()
export class BulkJobsProcessor implements OnModuleInit {
  constructor(
    private readonly runner: JobRunner,
    private readonly dispatcher: JobDispatcher,
    @InjectQueue(BULK_QUEUE) private readonly queue: Queue,
    @Inject(queueConfig.KEY) private readonly queues: ConfigType<typeof queueConfig>,
  ) {}

  onModuleInit(): void {
    processQueue(this.queue, '*', this.queues.bulk.concurrency, (job) =>
      this.apply(job as unknown as BulkQueueJob),
    );
  }

  apply(job: BulkQueueJob) {
    const queue = { 'messaging.system': 'bull', 'messaging.destination.name': BULK_QUEUE };
    switch (job.name) {
      case JobName.Atomic:
        return runInTracedWork(
          'bulk_job.atomic',
          job.data.trace,
          { ...queue, 'bulk_job.id': job.data.jobId },
          () => this.runner.processAtomic(job.data.jobId),
        );
      case JobName.Chunk:
        return this.turn(job.data, queue);
    }
  }

  /**
   * A turn applies whichever chunk is fairest. When every tenant with waiting chunks is at its limit,
   * the turn keeps this worker loop and asks again every `blockedRetryMs` (a slot frees up, or another
   * tenant's work arrives): handing it back at once would send the loop through every other queued
   * turn of that tenant, one claim each, over and over. After `blockedHoldMs` it goes back to the
   * queue, so that a draining worker is not held up for long.
   */
  private async turn(data: ChunkPayload, attributes: Record<string, string>) {
    const { blockedRetryMs, blockedHoldMs } = QUEUE_SETTINGS[BULK_QUEUE];
    const until = Date.now() + blockedHoldMs;
    for (;;) {
      const result = await this.runner.processNext(attributes, data.jobId);
      if (result.outcome !== 'blocked') return result;
      if (Date.now() + blockedRetryMs > until) {
        await this.dispatcher.requeueTurn(data);
        return result;
      }
      await new Promise((r) => setTimeout(r, blockedRetryMs));
    }
  }
}
