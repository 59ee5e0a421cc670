import {
  ContentTypeGuard,
  redisConfig,
  RequestBodyGuard,
  RequestBodyReader,
  UploadSlots,
} from '@app/common';
import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { ApiKeyGuard } from './api-key.guard';
import { AdminAttemptsLimiter, TenantKeyAttemptsLimiter } from './admin-attempts.limiter';
import { ApiKeyStore } from './api-key.store';
import { RedisThrottlerStorage } from './throttling/redis-throttler.storage';
import { TenantThrottlerGuard } from './throttling/tenant-throttler.guard';

/**
 * Guards in order: authentication (an anonymous caller learns nothing), the tenant's rate limit,
 * the body media-type check, then the body itself: nothing is parsed or received for a request
 * that any of the others refuses.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [redisConfig.KEY],
      useFactory: (redis: ConfigType<typeof redisConfig>) => ({
        throttlers: [
          {
            name: 'default',
            ttl: 60_000,
            limit: redis.rateLimitPerMinute || Number.MAX_SAFE_INTEGER,
          },
        ],
        skipIf: () => redis.rateLimitPerMinute === 0,
        storage: new RedisThrottlerStorage(redis.connection, redis.prefix),
      }),
    }),
  ],
  providers: [
    ApiKeyStore,
    AdminAttemptsLimiter,
    TenantKeyAttemptsLimiter,
    UploadSlots,
    RequestBodyReader,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: TenantThrottlerGuard },
    { provide: APP_GUARD, useClass: ContentTypeGuard },
    { provide: APP_GUARD, useClass: RequestBodyGuard },
  ],
  exports: [ApiKeyStore, AdminAttemptsLimiter, UploadSlots, RequestBodyReader],
})
export class AuthModule {}
