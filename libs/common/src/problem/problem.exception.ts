import { HttpException } from '@nestjs/common';
import { FieldError, ProblemCode, ProblemDetails, problemTypeUri, titleFor } from './problem.types';

export interface ProblemOptions {
  errors?: FieldError[];
  headers?: Record<string, string>;
  title?: string;
}

/** An HTTP error that already knows its contract code; the filter renders it as problem+json. */
export class ProblemException extends HttpException {
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    readonly code: ProblemCode,
    readonly detail: string,
    private readonly problemOptions: ProblemOptions = {},
  ) {
    super(detail, status);
    this.headers = problemOptions.headers ?? {};
  }

  toProblem(instance?: string): ProblemDetails {
    const status = this.getStatus();
    return {
      type: problemTypeUri(this.code),
      title: this.problemOptions.title ?? titleFor(status),
      status,
      detail: this.detail,
      code: this.code,
      ...(instance ? { instance } : {}),
      ...(this.problemOptions.errors ? { errors: this.problemOptions.errors } : {}),
    };
  }

  static notFound(what: string, id: string): ProblemException {
    return new ProblemException(404, ProblemCode.NotFound, `${what} ${id} was not found`);
  }

  static validation(errors: FieldError[], detail = 'The request is invalid'): ProblemException {
    return new ProblemException(400, ProblemCode.ValidationFailed, detail, { errors });
  }

  static unavailable(detail: string, retryAfterSeconds = 5): ProblemException {
    return new ProblemException(503, ProblemCode.ServiceUnavailable, detail, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}
