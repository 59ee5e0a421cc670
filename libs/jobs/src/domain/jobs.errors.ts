import { domainErrorClass, ProblemCode } from '@app/common';

/** Every way a request about a bulk job can break a rule, with the HTTP status it maps to. */
const JOB_ERRORS = {
  [ProblemCode.NotFound]: 404,
  [ProblemCode.PayloadTooLarge]: 413,
  [ProblemCode.JobNotCancellable]: 409,
  [ProblemCode.JobNotFinished]: 409,
  [ProblemCode.JobNotDeletable]: 409,
  [ProblemCode.NothingToRetry]: 409,
  [ProblemCode.TooManyActiveJobs]: 429,
  [ProblemCode.DailyItemLimitReached]: 429,
} as const satisfies Partial<Record<ProblemCode, number>>;

export type JobErrorCode = keyof typeof JOB_ERRORS;

export class JobError extends domainErrorClass(JOB_ERRORS) {
  static notFound(id: string): JobError {
    return new JobError('not_found', `Bulk job ${id} was not found`);
  }
}
