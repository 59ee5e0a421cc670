import type { Logger } from '@nestjs/common';
import type { Queue } from 'bull';

/**
 * Registers a repeatable Bull job and keeps it registered: Bull schedules each next run only while
 * its repeat entry exists in Redis, so a Redis flush or an empty restart would silently stop it.
 * Re-adding with the same options is a no-op while the entry exists. Returns a stop function.
 */
export function keepRepeatable(
  queue: Queue,
  name: string,
  everyMs: number,
  logger: Logger,
): () => void {
  const add = () =>
    queue
      .add(name, {}, { repeat: { every: everyMs }, removeOnComplete: true, removeOnFail: 100 })
      .then(() => undefined)
      .catch((e: Error) => logger.warn(`could not schedule ${name}: ${e.message}`));
  void add();
  const timer = setInterval(() => void add(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
