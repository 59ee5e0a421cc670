import { BULK_QUEUE } from '@app/jobs';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from './support/bulk';
import { auth, createTestApp, type TestApp } from './support/test-app';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ TEST_LABEL: 'metrics', ADMIN_API_KEY: 'admin-key' });
  });
  afterAll(async () => t?.close());

  it('needs the operator key', async () => {
    expect((await t.http.get('/metrics').expect(401)).body.code).toBe('unauthorized');
    await t.http.get('/metrics').set(auth('acme')).expect(401);
  });

  it('exposes HTTP latency by route and status, job and item outcomes, and queue depth', async () => {
    await t.http
      .post('/orders')
      .set(auth())
      .send({ customer_id: 'c', amount: 1, currency: 'EUR' })
      .expect(201);
    await t.http.get('/orders/ord_missing').set(auth()).expect(404);
    const job = await t.http
      .post('/bulk-jobs')
      .set(auth())
      .send({
        operation: 'create_orders',
        items: [
          { customer_id: 'c', amount: 1, currency: 'EUR' },
          { customer_id: 'c', amount: -1, currency: 'EUR' },
        ],
      })
      .expect(202);
    await waitForJob(t.http, job.body.id);
    const res = await t.http.get('/metrics').set('Authorization', 'Bearer admin-key').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/orders",status="201"\} 1/,
    );
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/orders\/:id",status="404"\} 1/,
    );
    expect(res.text).toMatch(/bulk_job_items\{operation="create_orders",outcome="succeeded"\} 1/);
    expect(res.text).toMatch(/bulk_job_items\{operation="create_orders",outcome="failed"\} 1/);
    expect(res.text).toMatch(/bulk_jobs\{operation="create_orders",status="completed"\} 1/);
    expect(res.text).toMatch(/queue_jobs\{queue="bulk-jobs",state="waiting"\} \d+/);
    expect(res.text).toMatch(/queue_oldest_waiting_seconds\{queue="bulk-jobs"\} [\d.]+/);
    expect(res.text).toMatch(/process_resident_memory_bytes/);
    expect(res.text).toMatch(/redis_primary_info\{address="127\.0\.0\.1:6379",via="url"\} 1/);
    expect(res.text).toMatch(/redis_failovers_total 0/);
  });

  it('shows waiting and running chunks per tenant', async () => {
    const queue = t.app.get<Queue>(getQueueToken(BULK_QUEUE));
    await queue.pause(true);
    try {
      const items = Array.from({ length: 3 }, (_, i) => ({
        customer_id: 'c',
        amount: i,
        currency: 'EUR',
      }));
      for (const tenant of ['acme', 'globex'] as const) {
        await t.http
          .post('/bulk-jobs')
          .set(auth(tenant))
          .send({ operation: 'create_orders', items })
          .expect(202);
      }
      const res = await t.http.get('/metrics').set('Authorization', 'Bearer admin-key').expect(200);
      // One chunk each (BULK_CHUNK_SIZE 1000), nothing running while the workers are paused.
      for (const tenant of ['acme', 'globex']) {
        expect(res.text).toContain(`bulk_tenant_chunks{tenant="${tenant}",state="waiting"} 1`);
        expect(res.text).toContain(`bulk_tenant_chunks{tenant="${tenant}",state="running"} 0`);
      }
    } finally {
      await queue.resume(true);
    }
  });

  it('is not part of the public API spec', async () => {
    const spec = (await t.http.get('/openapi.json').expect(200)).body;
    expect(Object.keys(spec.paths)).not.toContain('/metrics');
  });
});
