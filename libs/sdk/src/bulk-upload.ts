import type { BulkRestClient } from './client';
import { BulkRestError } from './errors';
import type { BulkJob } from './types';

export type UploadFormat = 'csv' | 'ndjson' | 'json';

export const UPLOAD_CONTENT_TYPES: Record<UploadFormat, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
};

export interface BulkUpload {
  /** E.g. `update_orders_status`; sent as `?operation=` (CSV, NDJSON) — a JSON body carries its own. */
  operation: string;
  /** `csv` (header row of item fields), `ndjson` (one item per line) or `json` (`{operation, items}`). */
  format: UploadFormat;
  /** Produces the body; called again for a retry, so re-open the file there. */
  body: () => AsyncIterable<Uint8Array> | string | Uint8Array;
  webhookUrl?: string;
  atomic?: boolean;
  /** Default: a fresh UUID, reused by the client's retries. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface SubmittedJob {
  job: BulkJob;
  /** `Location` of the job resource. */
  location: string | null;
  /** `Idempotent-Replayed: true`: the server returned the stored answer of an earlier identical call. */
  replayed: boolean;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return text;
  }
}

/**
 * Submits a bulk job with a streamed body (`POST /bulk-jobs` as `text/csv`, `application/x-ndjson`
 * or `application/json`): the file never has to fit in memory on this side.
 */
export async function submitBulkJob(
  client: BulkRestClient,
  upload: BulkUpload,
): Promise<SubmittedJob> {
  const query = new URLSearchParams();
  if (upload.format !== 'json') query.set('operation', upload.operation);
  if (upload.webhookUrl) query.set('webhook_url', upload.webhookUrl);
  if (upload.atomic !== undefined) query.set('atomic', String(upload.atomic));
  const qs = query.toString();
  const response = await client.send(`/bulk-jobs${qs ? `?${qs}` : ''}`, {
    method: 'POST',
    headers: {
      'Content-Type': UPLOAD_CONTENT_TYPES[upload.format],
      ...(upload.idempotencyKey ? { 'Idempotency-Key': upload.idempotencyKey } : {}),
    },
    body: upload.body,
    signal: upload.signal,
  });
  const body = await readJson(response);
  if (!response.ok) throw BulkRestError.fromResponse(response, body);
  return {
    job: body as BulkJob,
    location: response.headers.get('location'),
    replayed: response.headers.get('idempotent-replayed') === 'true',
  };
}

/**
 * The outcome of every item as a byte stream: CSV (`index,id,ref,status,error_code,error_message`)
 * or NDJSON.
 */
export async function downloadResults(
  client: BulkRestClient,
  id: string,
  format: 'csv' | 'ndjson' = 'csv',
  signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const response = await client.send(`/bulk-jobs/${encodeURIComponent(id)}/results`, {
    headers: { Accept: format === 'csv' ? 'text/csv' : 'application/x-ndjson' },
    signal,
  });
  if (!response.ok) throw BulkRestError.fromResponse(response, await readJson(response));
  if (!response.body) throw new BulkRestError('The results response has no body', response.status);
  return response.body;
}
