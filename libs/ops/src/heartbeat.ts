import { Logger } from '@nestjs/common';
import { rmSync, writeFileSync } from 'node:fs';

/**
 * Writes the time to `file` now and every `everyMs` while the event loop runs: a container health
 * check for a process without HTTP (`WORKER_HEARTBEAT_FILE`). Returns a stop function.
 */
export function startHeartbeat(file: string, everyMs = 5000): () => void {
  const logger = new Logger('Heartbeat');
  let warned = false;
  const beat = () => {
    try {
      writeFileSync(file, `${new Date().toISOString()}\n`);
    } catch (e) {
      if (!warned) logger.warn(`cannot write ${file}: ${(e as Error).message}`);
      warned = true;
    }
  };
  beat();
  const timer = setInterval(beat, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    rmSync(file, { force: true });
  };
}
