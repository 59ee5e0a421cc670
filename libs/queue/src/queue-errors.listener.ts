import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import Bull from 'bull';

/**
 * Bull queues emit `error` when Redis goes away; an EventEmitter without a listener would crash
 * the process. Log instead: readiness reports the outage and the reconciler repairs it later.
 */
@Injectable()
export class QueueErrorsListener implements OnModuleInit {
  private readonly logger = new Logger('Queue');
  private lastLog = 0;

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    const seen = new Set<unknown>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || seen.has(instance) || !(instance instanceof Bull)) continue;
      seen.add(instance);
      const queue = instance;
      queue.on('error', (err: Error) => {
        if (Date.now() - this.lastLog > 5000) {
          this.lastLog = Date.now();
          this.logger.warn(`Queue ${queue.name}: ${err.message}`);
        }
      });
    }
  }
}
