import { BULK_QUEUE } from '@app/jobs';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from './support/bulk';
import { chunksInside, installChunkProbe, setChunkProbe } from './support/chunk-probe';
import { auth, createTestApp, type TestApp } from './support/test-app';
import { useTestApp } from './support/use-test-app';
import { eventually } from './support/wait';

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

  it('shows waiting and running chunks per tenant, running while chunks run', async () => {
    const pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    const queue = t.app.get<Queue>(getQueueToken(BULK_QUEUE));
    const tenants = ['acme', 'globex'] as const;
    const gauge = (text: string, tenant: string, state: string) =>
      new RegExp(`^bulk_tenant_chunks\\{tenant="${tenant}",state="${state}"\\} (\\d+)$`, 'm').exec(
        text,
      )?.[1];
    const scrape = async () =>
      (await t.http.get('/metrics').set('Authorization', 'Bearer admin-key').expect(200)).text;
    try {
      // Chunks that reach their write of orders stay running until the gate opens.
      await installChunkProbe(pg);
      await setChunkProbe(pg, { gateOpen: false });
      const items = Array.from({ length: 3 }, (_, i) => ({
        customer_id: 'c',
        amount: i,
        currency: 'EUR',
      }));
      const jobs: string[] = [];
      await queue.pause(true);
      try {
        for (const tenant of tenants) {
          const res = await t.http
            .post('/bulk-jobs')
            .set(auth(tenant))
            .send({ operation: 'create_orders', items })
            .expect(202);
          jobs.push(res.body.id as string);
        }
        // One chunk each (BULK_CHUNK_SIZE 1000), nothing running while the workers are paused.
        const paused = await scrape();
        for (const tenant of tenants) {
          expect(gauge(paused, tenant, 'waiting')).toBe('1');
          expect(gauge(paused, tenant, 'running')).toBe('0');
        }
      } finally {
        await queue.resume(true);
      }
      // Both chunks running (held at the gate, as Postgres shows): the gauge says so.
      for (const tenant of tenants) {
        await eventually(
          `a chunk of ${tenant} running`,
          async () => (await chunksInside(pg, tenant)) === 1,
        );
      }
      const running = await scrape();
      for (const tenant of tenants) {
        expect(gauge(running, tenant, 'running')).toBe('1');
        expect(gauge(running, tenant, 'waiting')).toBe('0');
      }
      await setChunkProbe(pg, { gateOpen: true });
      for (const [i, id] of jobs.entries()) {
        expect((await waitForJob(t.http, id, tenants[i])).status).toBe('completed');
      }
      // Nothing runs once they are done: no tenant reports a running chunk.
      const after = await scrape();
      expect(after).not.toMatch(/^bulk_tenant_chunks\{[^}]*state="running"\} [1-9]/m);
      for (const tenant of tenants) expect(await chunksInside(pg, tenant)).toBe(0);
    } finally {
      await setChunkProbe(pg, { gateOpen: true }).catch(() => undefined);
      await pg.end();
    }
  });

  it('is not part of the public API spec', async () => {
    const spec = (await t.http.get('/openapi.json').expect(200)).body;
    expect(Object.keys(spec.paths)).not.toContain('/metrics');
  });
});

/** The scrape names tenants and their load: without an operator key it is for local use only. */
describe('GET /metrics without ADMIN_API_KEY', () => {
  describe('in production', () => {
    // Empty is unset: whatever an earlier app of this worker process left in process.env.
    const t = useTestApp({
      TEST_LABEL: 'metrics_prod',
      NODE_ENV: 'production',
      WEBHOOK_SECRET: `whsec_${Buffer.from('metrics-production-test-secret').toString('base64')}`,
      ADMIN_API_KEY: '',
    });

    it('is not there (404 not_found, like an unknown route), whatever is sent', async () => {
      for (const header of [undefined, 'Bearer key_acme', 'Bearer anything']) {
        const req = t.http.get('/metrics');
        const res = await (header ? req.set('Authorization', header) : req);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'not_found', detail: 'Cannot GET /metrics' });
        expect(res.text).not.toMatch(/bulk_tenant_chunks|acme/);
      }
    });
  });

  describe('outside production', () => {
    const t = useTestApp({ TEST_LABEL: 'metrics_dev', ADMIN_API_KEY: '' });

    it('is open, for local use', async () => {
      const res = await t.http.get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/process_resident_memory_bytes/);
    });
  });
});
