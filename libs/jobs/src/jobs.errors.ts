import { DomainError } from '@app/common';

/** Every way a request about a bulk job can break a rule, with the HTTP status it maps to. */
const JOB_ERRORS = {
  not_found: 404,
  job_not_cancellable: 409,
  job_not_finished: 409,
  job_not_deletable: 409,
  nothing_to_retry: 409,
} as const satisfies Record<string, number>;

export type JobErrorCode = keyof typeof JOB_ERRORS;

export class JobError extends DomainError {
  readonly status: number;

  constructor(
    readonly code: JobErrorCode,
    message: string,
  ) {
    super(message);
    this.status = JOB_ERRORS[code];
  }

  static notFound(id: string): JobError {
    return new JobError('not_found', `Bulk job ${id} was not found`);
  }
}
