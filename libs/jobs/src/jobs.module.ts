import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { JobProgressListener } from './job-progress.listener';
import { JobsCoreModule } from './jobs-core.module';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/** The HTTP side of bulk jobs. */
@Module({
  imports: [JobsCoreModule],
  controllers: [JobsController, EventsController],
  providers: [JobsService, JobProgressListener],
  exports: [JobsService],
})
export class JobsModule {}
