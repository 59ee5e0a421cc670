import type { TraceCarrier } from '@app/telemetry';
import { Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { JobPriority } from '../domain/jobs.constants';
import type { ClaimedChunk } from '../domain/claimed-chunk';
import { RUNNING_SLOTS_SQL, takeSlotSql } from './tenant-slots';

/** A chunk claimed by the fair scheduler, with the tenant slot it holds (null: none was free). */
export interface ClaimedNextChunk extends ClaimedChunk {
  traceContext: TraceCarrier | null;
  slot: number | null;
}

/** An unfinished, non-atomic job with chunks still pending, as the fair scheduler weighs it. */
export interface SchedulableJob {
  id: string;
  tenantId: string;
  priority: JobPriority;
  createdAt: Date;
  /** Chunks of this job's tenant being applied right now, across every worker. */
  tenantRunning: number;
}

/** Per tenant: chunks waiting for a worker and chunks being applied. */
export interface TenantLoad {
  tenantId: string;
  waiting: number;
  running: number;
}

/** The statements over tenant slots: what can be scheduled, claiming with a slot, the load per tenant. */
@Injectable()
export class TenantSlotsRepository {
  constructor(private readonly db: Database) {}

  /**
   * What the fair scheduler chooses from: every unfinished, non-atomic job with a pending chunk, with
   * its tenant's running chunks (slots held, counted by Postgres across all workers).
   */
  async schedulable(): Promise<SchedulableJob[]> {
    return this.db.rows<SchedulableJob>(
      `WITH running AS (${RUNNING_SLOTS_SQL})
       SELECT j.id, j.tenant_id AS "tenantId", j.priority, j.created_at AS "createdAt",
              COALESCE(r.running, 0) AS "tenantRunning"
         FROM bulk_jobs j LEFT JOIN running r ON r.classid = hashtext(j.tenant_id)::oid
        WHERE j.status IN ('pending', 'processing') AND NOT j.atomic
          AND EXISTS (SELECT 1 FROM bulk_job_chunks c WHERE c.job_id = j.id AND c.state = 'pending')`,
      [],
    );
  }

  /**
   * Locks the job's first pending chunk that no other worker holds, and takes one of its tenant's
   * `maxSlots` slots for the calling transaction. Null when every pending chunk is held; `slot` null
   * when the tenant had no slot left (the caller rolls back, which lets the chunk go again).
   */
  async claimNext(jobId: string, maxSlots: number): Promise<ClaimedNextChunk | null> {
    this.db.requireTransaction('claiming a chunk');
    const rows = await this.db.rows<ClaimedNextChunk>(
      `WITH c AS MATERIALIZED (
         SELECT chunk_no, state, items, duplicates FROM bulk_job_chunks
          WHERE job_id = $1 AND state = 'pending'
          ORDER BY chunk_no LIMIT 1 FOR UPDATE SKIP LOCKED)
       SELECT c.chunk_no AS "chunkNo", c.state, c.items, c.duplicates, j.tenant_id AS "tenantId",
              j.operation, j.status AS "jobStatus", j.chunk_size AS "chunkSize",
              j.total_items AS "totalItems", j.source_format AS "sourceFormat",
              j.trace_context AS "traceContext", ${takeSlotSql('j.tenant_id', '$2')} AS slot
         FROM c JOIN bulk_jobs j ON j.id = $1`,
      [jobId, maxSlots],
    );
    return rows[0] ?? null;
  }

  /** Waiting and running chunks per tenant with unfinished jobs (for /metrics). */
  async tenantLoad(): Promise<TenantLoad[]> {
    return this.db.rows<TenantLoad>(
      `WITH running AS (${RUNNING_SLOTS_SQL}),
            waiting AS (
              SELECT j.tenant_id, count(c.*)::int AS waiting
                FROM bulk_jobs j JOIN bulk_job_chunks c ON c.job_id = j.id AND c.state = 'pending'
               WHERE j.status IN ('pending', 'processing')
               GROUP BY j.tenant_id)
       SELECT w.tenant_id AS "tenantId", COALESCE(r.running, 0) AS running,
              greatest(w.waiting - COALESCE(r.running, 0), 0) AS waiting
         FROM waiting w LEFT JOIN running r ON r.classid = hashtext(w.tenant_id)::oid`,
      [],
    );
  }

  /** Chunks of one tenant being applied now (slots held, across every worker). */
  async runningFor(tenantId: string): Promise<number> {
    const [row] = await this.db.rows<{ running: number }>(
      `WITH running AS (${RUNNING_SLOTS_SQL})
       SELECT COALESCE((SELECT running FROM running WHERE classid = hashtext($1)::oid), 0) AS running`,
      [tenantId],
    );
    return row.running;
  }
}
