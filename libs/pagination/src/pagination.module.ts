import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { PaginationInterceptor } from './pagination.interceptor';
import { PaginationService } from './pagination.service';

@Global()
@Module({
  providers: [PaginationService, { provide: APP_INTERCEPTOR, useClass: PaginationInterceptor }],
  exports: [PaginationService],
})
export class PaginationModule {}
