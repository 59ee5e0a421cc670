import { Module } from '@nestjs/common';
import { OperationsModule } from '../domain/operations/operations.module';
import { BulkJobChunksRepository } from './bulk-job-chunks.repository';
import { JobItemsService } from './job-items.service';

/** A job's items as stored: chunk and failure rows, written at accept time and read back after. */
@Module({
  imports: [OperationsModule],
  providers: [BulkJobChunksRepository, JobItemsService],
  exports: [JobItemsService],
})
export class JobItemsModule {}
