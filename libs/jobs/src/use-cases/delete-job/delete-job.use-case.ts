import { Injectable } from '@nestjs/common';
import { isTerminal } from '../../domain/job-status';
import { JobError } from '../../domain/jobs.errors';
import { JobRecords } from '../../records/job-records.service';

/** `DELETE /bulk-jobs/{id}`: an ended job and everything stored with it. */
@Injectable()
export class DeleteJob {
  constructor(private readonly records: JobRecords) {}

  async execute(tenantId: string, id: string): Promise<void> {
    const job = await this.records.find(tenantId, id);
    if (!isTerminal(job.status)) {
      throw new JobError(
        'job_not_deletable',
        `Bulk job ${id} is ${job.status}; cancel it or wait until it ends`,
      );
    }
    await this.records.delete(tenantId, id);
  }
}
