import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ItemValidator } from './item-validator';
import { OperationRegistry } from './operation.registry';

/** The bulk operations other modules declare (`@BulkOperation()`), found at start, and their item checks. */
@Module({
  imports: [DiscoveryModule],
  providers: [OperationRegistry, ItemValidator],
  exports: [OperationRegistry, ItemValidator],
})
export class OperationsModule {}
