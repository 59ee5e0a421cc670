import type TestAgent from 'supertest/lib/agent';
import { auth } from './test-app';

export const TERMINAL = ['completed', 'failed', 'cancelled'];

/** Long-polls a job (Prefer: wait) until it ends; fails after `timeoutMs`. */
export async function waitForJob(
  http: TestAgent,
  id: string,
  tenant: 'acme' | 'globex' = 'acme',
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
