import { Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import { isTerminal } from '../../domain/job-status';
import { JobError } from '../../domain/jobs.errors';
import { JobItemsService } from '../../items/job-items.service';
import { toBulkJobDto, type BulkJobDto } from '../../records/dto/bulk-job.dto';
import { JobRecords } from '../../records/job-records.service';
import { CreateJob } from '../create-job/create-job.use-case';

/** `POST /bulk-jobs/{id}/retry`: a new job holding only the failed items of an ended one. */
@Injectable()
export class RetryJob {
  constructor(
    private readonly db: Database,
    private readonly records: JobRecords,
    private readonly items: JobItemsService,
    private readonly createJob: CreateJob,
  ) {}

  execute(tenantId: string, id: string): Promise<BulkJobDto> {
    return this.db.transaction(
      async () => {
        const source = await this.records.find(tenantId, id);
        if (!isTerminal(source.status)) {
          throw new JobError(
            'job_not_finished',
            `Bulk job ${id} is ${source.status}; retry it once it has ended`,
          );
        }
        if (!source.failed) {
          throw new JobError('nothing_to_retry', `Bulk job ${id} has no failed items to retry`);
        }
        const job = await this.createJob.execute({
          tenantId,
          operation: source.operation,
          atomic: source.atomic,
          priority: source.priority,
          format: source.sourceFormat,
          webhookUrl: source.webhookUrl,
          retryOf: id,
          items: this.items.failedItems(source),
        });
        return toBulkJobDto(job);
      },
      { budget: 'long' },
    );
  }
}
