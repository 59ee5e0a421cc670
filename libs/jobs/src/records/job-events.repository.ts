import { Database } from '@app/database';
import type { Page, PageRequest } from '@app/pagination';
import { buildPositionalKeyset, mapPage, newestFirstKey, PaginationService } from '@app/pagination';
import { Injectable } from '@nestjs/common';
import { JobEvent } from '../domain/entities/event.entity';
import { PROGRESS_CHANNEL, type EventType } from '../domain/jobs.constants';

/** The events list's keyset: newest first. Owned here because the alias `e` is this file's. */
export const EVENTS_PAGE_KEY = newestFirstKey('e');

const EVENT_COLUMNS = `e.id, e.tenant_id, e.type, e.job_id, e.data, e.webhook_url, e.delivery_status,
  e.delivery_attempts, e.created_at`;

interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  job_id: string;
  data: object;
  webhook_url: string | null;
  delivery_status: string | null;
  delivery_attempts: number;
  created_at: Date;
}

const toEvent = (r: EventRow): JobEvent =>
  Object.assign(new JobEvent(), {
    id: r.id,
    tenantId: r.tenant_id,
    type: r.type,
    jobId: r.job_id,
    data: r.data,
    webhookUrl: r.webhook_url,
    deliveryStatus: r.delivery_status,
    deliveryAttempts: r.delivery_attempts,
    createdAt: r.created_at,
  });

export interface NewEvent {
  id: string;
  tenantId: string;
  type: EventType;
  jobId: string;
  data: object;
  webhookUrl: string | null;
}

export interface DeliverableEvent {
  id: string;
  type: string;
  createdAt: Date;
  data: unknown;
  webhookUrl: string | null;
  deliveryStatus: string | null;
}

/** Every statement over `events`, plus the job-change notification the long-polls listen for. */
@Injectable()
export class JobEventsRepository {
  constructor(
    private readonly db: Database,
    private readonly pagination: PaginationService,
  ) {}

  /** Inserts the event; returns its creation time as stored. */
  async insert(e: NewEvent): Promise<Date> {
    const [row] = await this.db.rows<{ created_at: Date }>(
      `INSERT INTO events (id, tenant_id, type, job_id, data, webhook_url, delivery_status)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at`,
      [
        e.id,
        e.tenantId,
        e.type,
        e.jobId,
        JSON.stringify(e.data),
        e.webhookUrl,
        e.webhookUrl ? 'pending' : null,
      ],
    );
    return new Date(row.created_at);
  }

  /** NOTIFY is transactional: listeners hear it when the caller's transaction commits. */
  async notifyJobChanged(jobId: string, status: string): Promise<void> {
    await this.db.rows('SELECT pg_notify($1, $2)', [PROGRESS_CHANNEL, `${jobId}:${status}`]);
  }

  async page(
    tenantId: string,
    type: EventType | undefined,
    page: PageRequest,
  ): Promise<Page<JobEvent>> {
    const params: unknown[] = [tenantId];
    const where = ['e.tenant_id = $1'];
    if (type) where.push(`e.type = $${params.push(type)}`);
    const ks = buildPositionalKeyset(page.key, page.direction, page.after, params.length + 1);
    if (ks.where) where.push(ks.where);
    params.push(...ks.params);
    const rows = await this.db.rows<EventRow & Record<string, unknown>>(
      `SELECT ${EVENT_COLUMNS}, ${ks.selects} FROM events e
        WHERE ${where.join(' AND ')} ORDER BY ${ks.orderBy} LIMIT $${params.push(page.limit + 1)}`,
      params,
    );
    const result = this.pagination.pageFromRows(rows, page);
    return mapPage(result, toEvent);
  }

  async findDeliverable(id: string): Promise<DeliverableEvent | null> {
    const [row] = await this.db.rows<{
      id: string;
      type: string;
      created_at: Date;
      data: unknown;
      webhook_url: string | null;
      delivery_status: string | null;
    }>(
      `SELECT id, type, created_at, data, webhook_url, delivery_status FROM events WHERE id = $1`,
      [id],
    );
    if (!row) return null;
    return {
      id: row.id,
      type: row.type,
      createdAt: new Date(row.created_at),
      data: row.data,
      webhookUrl: row.webhook_url,
      deliveryStatus: row.delivery_status,
    };
  }

  async recordDelivery(id: string, status: string, attempts: number): Promise<void> {
    await this.db.rows(
      `UPDATE events SET delivery_status = $2, delivery_attempts = $3 WHERE id = $1`,
      [id, status, attempts],
    );
  }

  async deleteForJob(jobId: string): Promise<void> {
    await this.db.rows(`DELETE FROM events WHERE job_id = $1`, [jobId]);
  }
}
