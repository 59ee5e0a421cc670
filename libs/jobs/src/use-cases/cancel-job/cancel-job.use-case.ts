import { Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { BulkJob } from '../../domain/entities/bulk-job.entity';
import { isTerminal } from '../../domain/job-status';
import { JobError } from '../../domain/jobs.errors';
import { JobItemsService } from '../../items/job-items.service';
import { toBulkJobDto, type BulkJobDto } from '../../records/dto/bulk-job.dto';
import { JobLifecycleService } from '../../records/job-lifecycle.service';
import { JobRecords } from '../../records/job-records.service';

/**
 * `POST /bulk-jobs/{id}/cancel` stops the job at once: every chunk not yet started is cancelled in
 * this request; only chunks already being applied finish (waited for, so the answer and the event
 * carry final counters).
 */
@Injectable()
export class CancelJob {
  constructor(
    private readonly db: Database,
    private readonly records: JobRecords,
    private readonly items: JobItemsService,
    private readonly lifecycle: JobLifecycleService,
  ) {}

  execute(tenantId: string, id: string): Promise<BulkJobDto> {
    return this.db.transaction(async () => {
      const job = await this.records.find(tenantId, id);
      if (isTerminal(job.status)) throw notCancellable(job);
      await this.items.stopPending(id);
      const ended = await this.lifecycle.finish(id, 'cancelled');
      if (!ended) throw notCancellable(await this.records.find(tenantId, id));
      return toBulkJobDto(ended);
    });
  }
}

const notCancellable = (job: BulkJob): JobError =>
  new JobError('job_not_cancellable', `The job is already ${job.status} and cannot be cancelled`);
