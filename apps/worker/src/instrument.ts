// Imported first by main.ts: the instrumentations can only patch http, express, pg and ioredis if
// tracing starts before anything requires them.
import { startTracing } from '@app/telemetry';

startTracing('worker');
