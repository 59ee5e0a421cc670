import { MAINTENANCE_QUEUE } from '@app/queue';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { SWEEP_IDEMPOTENCY_KEYS_JOB } from './idempotency.constants';
import { IdempotencyService } from './idempotency.service';

const SWEEP_EVERY_MS = 60_000;

/** Deletes expired idempotency records; a repeatable job, so one worker runs it per interval. */
@Processor(MAINTENANCE_QUEUE)
export class IdempotencySweepProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger('IdempotencySweep');

  constructor(
    private readonly idempotency: IdempotencyService,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Same repeat options from every process → one schedule in Redis.
    await this.queue
      .add(
        SWEEP_IDEMPOTENCY_KEYS_JOB,
        {},
        { repeat: { every: SWEEP_EVERY_MS }, removeOnComplete: true, removeOnFail: 100 },
      )
      .catch((e: Error) => this.logger.warn(`could not schedule the sweep: ${e.message}`));
  }

  @Process(SWEEP_IDEMPOTENCY_KEYS_JOB)
  async sweep(): Promise<{ deleted: number }> {
    const deleted = await this.idempotency.sweepExpired();
    if (deleted) this.logger.log(`deleted ${deleted} expired idempotency records`);
    return { deleted };
  }
}
