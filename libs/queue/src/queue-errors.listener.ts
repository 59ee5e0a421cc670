import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import Bull from 'bull';
import { hasLocalWorker, requeueUnlockedActive } from './bull-internals';

const SETTLE_MS = 5_000;
const CLOSE_MS = 20_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/**
 * Keeps Redis trouble from taking the process down. Bull queues emit `error` when Redis goes away
 * (an EventEmitter without a listener would crash the process): log it; readiness reports the outage
 * and the reconciler repairs lost work. At shutdown, close each queue (letting the current chunk
 * finish) within a bound: Bull's close forces its blocking connection to reconnect, which hangs or
 * rejects if that connection is still reconnecting after a Redis restart.
 */
@Injectable()
export class QueueErrorsListener implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Queue');
  private readonly queues: Bull.Queue[] = [];
  private lastLog = 0;

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!(instance instanceof Bull) || this.queues.includes(instance)) continue;
      this.queues.push(instance);
      instance.on('error', (err: Error) => {
        if (Date.now() - this.lastLog > 5000) {
          this.lastLog = Date.now();
          this.logger.warn(`Queue ${instance.name}: ${err.message}`);
        }
      });
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.queues.map((q) => this.close(q)));
  }

  private async close(queue: Bull.Queue): Promise<void> {
    const clients = queue.clients;
    const settling = () =>
      clients.some((c) => ['connecting', 'connect', 'reconnecting'].includes(c.status));
    for (let waited = 0; settling() && waited < SETTLE_MS; waited += 100) await sleep(100);
    const closed = queue.close().then(
      () => true,
      () => true,
    );
    if (await Promise.race([closed, sleep(CLOSE_MS).then(() => false)])) {
      await this.requeueUnlocked(queue);
      return;
    }
    this.logger.warn(`Queue ${queue.name} did not close in ${CLOSE_MS} ms; disconnecting`);
    for (const c of clients) c.disconnect();
  }

  /**
   * After a worker's queue closed: entries it fetched but never processed go back to wait. Bull
   * fetches with a blocking BRPOPLPUSH (wait → active) and locks in a second step, and a fetch that
   * completes while the queue closes is never processed: such entries stayed active until another
   * worker's stalled check noticed them, two lock periods later.
   */
  private async requeueUnlocked(queue: Bull.Queue): Promise<void> {
    if (!hasLocalWorker(queue)) return; // no worker here: nothing of ours can be in flight
    const redis = queue.client.duplicate({ lazyConnect: true });
    try {
      await Promise.race([
        (async () => {
          await redis.connect();
          const n = await requeueUnlockedActive(queue, redis);
          if (n) this.logger.log(`Queue ${queue.name}: ${n} abandoned entry(ies) back to wait`);
        })(),
        sleep(SETTLE_MS),
      ]);
    } catch (e) {
      this.logger.warn(
        `Queue ${queue.name}: could not requeue unlocked entries (${(e as Error).message})`,
      );
    } finally {
      redis.disconnect();
    }
  }
}
