export * from './queue.constants';
export * from './redis-options';
export * from './redis-check';
export * from './queue.module';
export * from './repeatable';
export * from './redis-primary.service';
export * from './queue-errors.listener';
export * from './bull-internals';
