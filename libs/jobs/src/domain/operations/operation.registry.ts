import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { BULK_OPERATION_KEY, type BulkOperationHandler } from './bulk-operation';

/** Finds every `@BulkOperation()` provider in the application. */
@Injectable()
export class OperationRegistry implements OnModuleInit {
  private readonly logger = new Logger('BulkOperations');
  private readonly operations = new Map<string, BulkOperationHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      const metatype = wrapper.metatype;
      if (!instance || !metatype || !this.reflector.get<boolean>(BULK_OPERATION_KEY, metatype))
        continue;
      const op = instance as BulkOperationHandler;
      const existing = this.operations.get(op.name);
      if (existing && existing !== op) throw new Error(`Two bulk operations are named ${op.name}`);
      this.operations.set(op.name, op);
    }
    this.logger.log(
      `Bulk operations: ${[...this.operations.keys()].sort().join(', ') || '(none)'}`,
    );
  }

  get(name: string): BulkOperationHandler | undefined {
    return this.operations.get(name);
  }

  names(): string[] {
    return [...this.operations.keys()].sort();
  }
}
