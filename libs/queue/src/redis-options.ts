import type { RedisConnection } from '@app/common';
import type { RedisOptions } from 'ioredis';

/**
 * What a connection is for: `command` is an ordinary client (fails commands fast while Redis is
 * away); `blocking` is Bull's subscriber or blocking client, which Bull requires to wait forever
 * and to skip the ready check.
 */
export type RedisRole = 'command' | 'blocking';

/**
 * ioredis options for every Redis user of the service (Bull's three connections, the rate limiter,
 * the start-up check, readiness and the dashboard all go through here), from REDIS_URL or Sentinel.
 *
 * `disableClientInfo`: ioredis 5 sends CLIENT SETINFO on every connect; after a Redis restart a
 * connection without the ready check could report `ready` while that exchange died with the old
 * socket, leaving Bull on a dead connection for good.
 */
export function redisClientOptions(
  connection: RedisConnection,
  role: RedisRole = 'command',
): RedisOptions {
  const common: RedisOptions = {
    connectTimeout: 3000,
    disableClientInfo: true,
    retryStrategy: (times: number) => Math.min(200 * times, 2000),
    ...(role === 'blocking'
      ? { maxRetriesPerRequest: null, enableReadyCheck: false }
      : { maxRetriesPerRequest: 2 }),
  };
  if (connection.mode === 'sentinel') {
    return {
      ...common,
      sentinels: connection.sentinels.map((s) => ({ ...s })),
      name: connection.name,
      role: 'master',
      ...(connection.password ? { password: connection.password } : {}),
      ...(connection.sentinelPassword ? { sentinelPassword: connection.sentinelPassword } : {}),
      ...(connection.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
      sentinelRetryStrategy: (times: number) => Math.min(200 * times, 2000),
      // Not ioredis's failover detector: its subscription outlives the connection it was made for,
      // and a +switch-master arriving while that client reconnects ends the client for good (seen
      // with ioredis 5.11). A primary that was demoted but still answers refuses writes with
      // READONLY instead: reconnect (asking the sentinels again) and resend the command.
      reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
    };
  }
  const u = new URL(connection.url);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  return {
    ...common,
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** Where Redis is, for messages (never with a password). */
export function describeRedis(connection: RedisConnection): string {
  if (connection.mode === 'sentinel') {
    const list = connection.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
    return `primary "${connection.name}" via sentinels ${list}`;
  }
  const u = new URL(connection.url);
  return `${u.protocol}//${u.hostname}:${u.port || 6379}${u.pathname === '/' ? '' : u.pathname}`;
}
