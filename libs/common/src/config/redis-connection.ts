import type { EnvironmentVariables } from './env.validation';

export interface RedisHostPort {
  host: string;
  port: number;
}

/**
 * Where Redis is, as configured: one server from REDIS_URL, or a primary found through Sentinel
 * (REDIS_SENTINELS wins over REDIS_URL). `libs/queue` turns it into client options.
 */
export type RedisConnection =
  | { mode: 'url'; url: string }
  | {
      mode: 'sentinel';
      sentinels: RedisHostPort[];
      name: string;
      password?: string;
      sentinelPassword?: string;
      tls: boolean;
    };

export function redisConnectionFromEnv(
  e: Pick<
    EnvironmentVariables,
    | 'REDIS_URL'
    | 'REDIS_SENTINELS'
    | 'REDIS_SENTINEL_NAME'
    | 'REDIS_PASSWORD'
    | 'REDIS_SENTINEL_PASSWORD'
    | 'REDIS_TLS'
  >,
): RedisConnection {
  if (!e.REDIS_SENTINELS) return { mode: 'url', url: e.REDIS_URL };
  return {
    mode: 'sentinel',
    sentinels: e.REDIS_SENTINELS.split(',').map((pair) => {
      const i = pair.lastIndexOf(':');
      return { host: pair.slice(0, i), port: Number(pair.slice(i + 1)) };
    }),
    name: e.REDIS_SENTINEL_NAME,
    password: e.REDIS_PASSWORD,
    sentinelPassword: e.REDIS_SENTINEL_PASSWORD,
    tls: e.REDIS_TLS,
  };
}
