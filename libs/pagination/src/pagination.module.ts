import { paginationConfig } from '@app/common';
import { Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { PaginationService } from './pagination.service';

/** Pagination for every module; `@Paginated()` binds the interceptor to each list handler. */
@Global()
@Module({
  providers: [PaginationService],
  exports: [PaginationService],
})
export class PaginationModule implements OnModuleInit {
  constructor(
    @Inject(paginationConfig.KEY) private readonly config: ConfigType<typeof paginationConfig>,
  ) {}

  /** Here rather than in the interceptor, which each module with a list handler instantiates. */
  onModuleInit(): void {
    if (this.config.ephemeralSecret) {
      new Logger('Pagination').warn(
        'CURSOR_SECRET is not set: cursors are signed with a random per-process key and will not survive a restart or work across instances',
      );
    }
  }
}
