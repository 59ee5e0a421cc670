import type { ChunkState } from './job-status';
import type { JobStatus } from './jobs.constants';

/** A chunk as a worker claims it, with what it needs of its job. */
export interface ClaimedChunk {
  chunkNo: number;
  state: ChunkState;
  items: string;
  duplicates: number[] | null;
  tenantId: string;
  operation: string;
  jobStatus: JobStatus;
  chunkSize: number;
  totalItems: number;
  sourceFormat: string;
}
