import {
  ConfigValidationError,
  redisConnectionFromEnv,
  useDatabaseUrl,
  validateEnv,
} from '@app/common';
import { runMigrations, startEmbeddedPostgres, type EmbeddedDatabase } from '@app/database';
import { assertRedisReachable, RedisUnavailableError } from '@app/queue';
import { Logger } from '@nestjs/common';
import { logLevels } from './logging';

const logger = new Logger('Bootstrap');

export interface Infrastructure {
  /** Stops what this process started itself (the embedded database). */
  release(): Promise<void>;
}

/**
 * Everything that must hold before Nest starts: valid config, a database (embedded when
 * DATABASE_URL is unset), a reachable Redis and an up-to-date schema.
 */
export async function prepareInfrastructure(): Promise<Infrastructure> {
  const env = validateEnv(process.env);
  Logger.overrideLogger(logLevels(env.LOG_LEVEL));
  let embedded: EmbeddedDatabase | undefined;
  let url = env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres();
    url = embedded.url;
    useDatabaseUrl(url);
  }
  try {
    await assertRedisReachable(redisConnectionFromEnv(env));
    await runMigrations(url);
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
  return { release: async () => embedded?.stop() };
}

/** Prints a start-up failure readably (config or Redis problems need no stack trace) and exits 1. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigValidationError || error instanceof RedisUnavailableError) {
    logger.error(error.message);
  } else {
    logger.error(`Start-up failed: ${(error as Error)?.stack ?? String(error)}`);
  }
  process.exit(1);
}
