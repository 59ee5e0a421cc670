import { IdempotencyWorkerModule } from '@app/idempotency';
import { Module } from '@nestjs/common';

/** Every Bull processor; imported by the worker app, and by the API unless RUN_WORKERS=false. */
@Module({
  imports: [IdempotencyWorkerModule],
})
export class WorkersModule {}
