import type { NewJob } from '../../libs/jobs/src/records/bulk-jobs.repository';
import type TestAgent from 'supertest/lib/agent';
import { queryOnce } from './database';
import { auth, type TenantName } from './test-app';

export const TERMINAL = ['completed', 'failed', 'cancelled'];

/** Long-polls a job (Prefer: wait) until it ends; fails after `timeoutMs`. */
export async function waitForJob(
  http: TestAgent,
  id: string,
  tenant: TenantName = 'acme',
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await http.get(`/bulk-jobs/${id}`).set(auth(tenant)).set('Prefer', 'wait=5');
    if (res.status !== 200)
      throw new Error(`GET /bulk-jobs/${id} answered ${res.status}: ${res.text}`);
    if (TERMINAL.includes(res.body.status)) return res.body;
    if (Date.now() > until)
      throw new Error(`job ${id} still ${res.body.status} after ${timeoutMs} ms`);
  }
}

/**
 * Every stored item of the jobs matching `where` (SQL over `c`, the chunk, and `j`, the job), expanded
 * from chunk storage in SQL alone, independently of the service's own reading code: one row per item
 * with its index, payload, status and result id. Use as `FROM (${storedItemsSql('c.job_id = $1')}) i`.
 */
export function storedItemsSql(where = 'TRUE'): string {
  return `
    SELECT c.job_id, c.chunk_no * j.chunk_size + (e.ord - 1)::int AS idx, e.item AS payload,
           CASE WHEN f.idx IS NOT NULL THEN 'failed'
                WHEN c.state = 'done' THEN 'succeeded'
                WHEN c.state = 'pending' THEN 'pending'
                ELSE 'cancelled' END AS status,
           CASE WHEN f.idx IS NULL AND c.state = 'done'
                THEN COALESCE(c.result_ids::json ->> (e.ord - 1)::int, e.item ->> 'id') END AS result_id
      FROM bulk_job_chunks c
      JOIN bulk_jobs j ON j.id = c.job_id
     CROSS JOIN LATERAL json_array_elements(c.items::json) WITH ORDINALITY AS e(item, ord)
      LEFT JOIN bulk_job_failures f
        ON f.job_id = c.job_id AND f.idx = c.chunk_no * j.chunk_size + (e.ord - 1)::int
     WHERE ${where}`;
}

/** Items tried so far (succeeded + failed): the sum of the job's chunks while it runs. */
export const PROCESSED_ITEMS_SQL = `SELECT COALESCE(sum(succeeded + failed), 0)::int AS processed_items
  FROM bulk_job_chunks WHERE job_id = $1`;

/** A job row for the repositories: update_orders_status from JSON, chunks of 2, no webhook; `over` changes any field. */
export const newJobRow = (id: string, tenantId: string, over: Partial<NewJob> = {}): NewJob => ({
  id,
  tenantId,
  operation: 'update_orders_status',
  atomic: false,
  sourceFormat: 'json',
  chunkSize: 2,
  webhookUrl: null,
  retryOf: null,
  ...over,
});

/** Orders whose customer_id is LIKE `like` in the database at `url`: how many, and of how many customers. */
export async function ordersLike(url: string, like: string) {
  const [row] = await queryOnce<{ n: string; customers: string }>(
    url,
    `SELECT count(*) AS n, count(DISTINCT customer_id) AS customers FROM orders WHERE customer_id LIKE $1`,
    [like],
  );
  return { n: Number(row.n), customers: Number(row.customers) };
}
