export * from './tracing';
export * from './trace-context';
