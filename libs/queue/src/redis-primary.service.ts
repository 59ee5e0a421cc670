import { redisConfig } from '@app/common';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Queue } from 'bull';
import type { Redis } from 'ioredis';
import { MAINTENANCE_QUEUE } from './queue.constants';

/**
 * Which Redis primary this process talks to, and how often that changed (a Sentinel failover, or a
 * managed Redis moving its endpoint). Read from the queue's command connection each time it becomes
 * ready, so readiness and /metrics report the server actually in use, not the configured one.
 */
@Injectable()
export class RedisPrimaryService implements OnModuleInit {
  private readonly logger = new Logger('Redis');
  private current: string | undefined;
  private changes = 0;
  private readonly listeners: ((primary: string, changed: boolean) => void)[] = [];

  constructor(
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    @Inject(redisConfig.KEY) private readonly redis: ConfigType<typeof redisConfig>,
  ) {}

  onModuleInit(): void {
    const client = this.queue.client;
    client.on('ready', () => this.seen(client));
    if (client.status === 'ready') this.seen(client);
  }

  get mode(): 'url' | 'sentinel' {
    return this.redis.connection.mode;
  }

  /** `host:port` of the primary in use, once connected. */
  get primary(): string | undefined {
    return this.current;
  }

  /** Times the primary in use changed since this process started. */
  get failovers(): number {
    return this.changes;
  }

  /**
   * Called on every reconnect after the first connection (`changed`: to another primary). Whatever
   * Redis held may be gone then: a restart without persistence, or writes the old primary had not
   * yet replicated when it failed.
   */
  onReconnect(listener: (primary: string, changed: boolean) => void): void {
    this.listeners.push(listener);
  }

  private seen(client: Redis): void {
    const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
    if (!stream?.remoteAddress) return;
    const address = `${stream.remoteAddress}:${stream.remotePort}`;
    const previous = this.current;
    this.current = address;
    if (previous === undefined) return;
    const changed = address !== previous;
    if (changed) {
      this.changes += 1;
      this.logger.warn(`Redis primary changed from ${previous} to ${address}`);
    }
    for (const listener of this.listeners) listener(address, changed);
  }
}
