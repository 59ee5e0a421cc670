export * from './public.decorator';
export * from './api-key.store';
export * from './admin-attempts.limiter';
export * from './api-key.guard';
export * from './auth.module';
export * from './throttling/tenant-throttler.guard';
export * from './throttling/redis-throttler.storage';
