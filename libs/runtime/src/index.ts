export * from './infrastructure';
export * from './http-core.module';
export * from './configure-http';
export * from './openapi';
export * from './shutdown';
export * from './logging';
export * from './workers.module';
export * from './http-drain';
