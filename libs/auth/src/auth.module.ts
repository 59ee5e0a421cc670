import { ContentTypeGuard } from '@app/common';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyStore } from './api-key.store';

/** Authentication first, then the body media-type check: an anonymous caller learns nothing. */
@Global()
@Module({
  providers: [
    ApiKeyStore,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: ContentTypeGuard },
  ],
  exports: [ApiKeyStore],
})
export class AuthModule {}
