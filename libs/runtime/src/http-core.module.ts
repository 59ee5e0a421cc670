import { createValidationPipe, ProblemDetailsFilter } from '@app/common';
import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';

/** The HTTP conventions every API module relies on: problem details and strict validation. */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class HttpCoreModule {}
