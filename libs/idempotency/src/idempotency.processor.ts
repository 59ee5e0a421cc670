import { keepRepeatable, MAINTENANCE_QUEUE } from '@app/queue';
import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bull';
import { SWEEP_IDEMPOTENCY_KEYS_JOB } from './idempotency.constants';
import { IdempotencyService } from './idempotency.service';

const SWEEP_EVERY_MS = 60_000;

/** Deletes expired idempotency records; a repeatable job, so one worker runs it per interval. */
@Processor(MAINTENANCE_QUEUE)
export class IdempotencySweepProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IdempotencySweep');

  constructor(
    private readonly idempotency: IdempotencyService,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
  ) {}

  private stop?: () => void;

  onApplicationBootstrap(): void {
    this.stop = keepRepeatable(this.queue, SWEEP_IDEMPOTENCY_KEYS_JOB, SWEEP_EVERY_MS, this.logger);
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }

  @Process(SWEEP_IDEMPOTENCY_KEYS_JOB)
  async sweep(): Promise<{ deleted: number }> {
    const deleted = await this.idempotency.sweepExpired();
    if (deleted) this.logger.log(`deleted ${deleted} expired idempotency records`);
    return { deleted };
  }
}
