import { redisConnectionFromEnv, validateEnv } from '@app/common';
import { describe, expect, it } from 'vitest';
import { describeRedis, redisClientOptions } from './redis-options';

const connection = (env: Record<string, string>) => redisConnectionFromEnv(validateEnv(env));

describe('redisClientOptions', () => {
  it('reads REDIS_URL when no sentinels are given', () => {
    const o = redisClientOptions(connection({ REDIS_URL: 'rediss://u:p%40ss@cache:6380/2' }));
    expect(o).toMatchObject({ host: 'cache', port: 6380, username: 'u', password: 'p@ss', db: 2 });
    expect(o.tls).toEqual({});
    expect(o.sentinels).toBeUndefined();
    expect(describeRedis(connection({ REDIS_URL: 'redis://u:secret@cache:6380' }))).toBe(
      'redis://cache:6380',
    );
  });

  it('prefers REDIS_SENTINELS over REDIS_URL, with the master name and both passwords', () => {
    const c = connection({
      REDIS_URL: 'redis://dead:1',
      REDIS_SENTINELS: 's1:26379,10.0.0.2:26380',
      REDIS_SENTINEL_NAME: 'queues',
      REDIS_PASSWORD: 'data-pw',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
      REDIS_TLS: 'true',
    });
    const o = redisClientOptions(c);
    expect(o.sentinels).toEqual([
      { host: 's1', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
    ]);
    expect(o).toMatchObject({
      name: 'queues',
      role: 'master',
      password: 'data-pw',
      sentinelPassword: 'sentinel-pw',
      enableTLSForSentinelMode: true,
    });
    expect(o.failoverDetector).toBeUndefined();
    expect(
      o.reconnectOnError?.(new Error("READONLY You can't write against a read only replica.")),
    ).toBe(2);
    expect(o.reconnectOnError?.(new Error('ERR unknown command'))).toBe(false);
    expect(o.host).toBeUndefined();
    expect(describeRedis(c)).toBe('primary "queues" via sentinels s1:26379,10.0.0.2:26380');
    expect(describeRedis(c)).not.toContain('pw');
  });

  it('defaults the master name to mymaster and leaves TLS off', () => {
    const o = redisClientOptions(connection({ REDIS_SENTINELS: 'a:1' }));
    expect(o.name).toBe('mymaster');
    expect(o.tls).toBeUndefined();
    expect(o.password).toBeUndefined();
  });

  it('turns off CLIENT SETINFO on every connection, and waits forever only on blocking ones', () => {
    for (const c of [connection({}), connection({ REDIS_SENTINELS: 'a:1' })]) {
      const command = redisClientOptions(c);
      const blocking = redisClientOptions(c, 'blocking');
      expect(command.disableClientInfo).toBe(true);
      expect(blocking.disableClientInfo).toBe(true);
      expect(command.maxRetriesPerRequest).toBe(2);
      expect(blocking).toMatchObject({ maxRetriesPerRequest: null, enableReadyCheck: false });
    }
  });

  it('rejects malformed sentinel lists at boot', () => {
    expect(() => validateEnv({ REDIS_SENTINELS: 's1' })).toThrow(/REDIS_SENTINELS/);
    expect(() => validateEnv({ REDIS_SENTINELS: 's1:26379,' })).toThrow(/REDIS_SENTINELS/);
  });
});
