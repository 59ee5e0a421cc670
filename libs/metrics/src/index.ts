export * from './metrics.service';
export * from './metrics.controller';
export * from './http-metrics.middleware';
export * from './metrics.module';
