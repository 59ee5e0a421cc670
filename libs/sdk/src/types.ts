import type { components } from './schema';

type WebhookHeaderName = 'webhook-id' | 'webhook-timestamp' | 'webhook-signature';

/** Every schema of the API, by its OpenAPI name. */
export type Schemas = components['schemas'];
export type Order = Schemas['OrderDto'];
export type OrderStatus = Order['status'];
export type CreateOrder = Schemas['CreateOrderDto'];
export type BulkJob = Schemas['BulkJobDto'];
export type JobStatus = BulkJob['status'];
export type BulkJobItem = Schemas['BulkJobItemDto'];
export type CreateBulkJob = Schemas['CreateBulkJobDto'];
/** A job lifecycle event: what `GET /events` lists and what webhooks deliver. */
export type BulkJobEvent = Schemas['EventDto'];
/** The body of a webhook delivery, as the document's `x-webhooks` describes it (what `verifyWebhook` returns). */
export type BulkJobWebhookEvent = Schemas['BulkJobWebhookEvent'];
/** `bulk_job.completed`, `bulk_job.failed` or `bulk_job.cancelled`. */
export type BulkJobWebhookEventType = BulkJobWebhookEvent['type'];
/** The Standard Webhooks headers of every delivery (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
export type BulkJobWebhookHeaders = Pick<components['parameters'], WebhookHeaderName>;
/** One of the tenant's quotas as `GET /limits` lists it (`requests`, `active_jobs`, …). */
export type Limit = Schemas['LimitDto'];
export type LimitName = Limit['name'];
/** RFC 9457 problem details, as every error response carries them. */
export type Problem = Schemas['ProblemDetailsSchema'];

/** One page of any cursor-paginated list. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export const isTerminal = (status: JobStatus): boolean => TERMINAL_JOB_STATUSES.includes(status);

export const SDK_VERSION = '0.1.0';
