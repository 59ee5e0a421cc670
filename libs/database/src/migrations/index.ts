import { CreateOrders1764160000000 } from './1764160000000-create-orders';
import { CreateIdempotencyKeys1764170000000 } from './1764170000000-create-idempotency-keys';
import { CreateBulkJobs1764180000000 } from './1764180000000-create-bulk-jobs';
import { PartialItemStatusIndex1764190000000 } from './1764190000000-partial-item-status-index';
import { ChunkStorage1764200000000 } from './1764200000000-chunk-storage';
import { TraceContext1796173850504 } from './1796173850504-trace-context';
import { FairScheduling1796500000000 } from './1796500000000-fair-scheduling';

/** Every migration, in order; the app and the TypeORM CLI both read this list. */
export const MIGRATIONS = [
  CreateOrders1764160000000,
  CreateIdempotencyKeys1764170000000,
  CreateBulkJobs1764180000000,
  PartialItemStatusIndex1764190000000,
  ChunkStorage1764200000000,
  TraceContext1796173850504,
  FairScheduling1796500000000,
];
