import { randomUUID } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { Client } from 'pg';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_URL } from './support/database';
import { baseUrlOf, body } from './support/sdk';
import { auth } from './support/test-app';
import { useTestApp } from './support/use-test-app';

/**
 * Documented statuses of the bulk-job and event operations that need a real fault or race: 409 while
 * a request under the same Idempotency-Key still runs, and 503 with Retry-After while the database
 * refuses the app's connections. createTestApp checks every answer against openapi.json.
 */
describe('bulk jobs and events when a request races or the database is gone', () => {
  const t = useTestApp({ TEST_LABEL: 'unavailable', RUN_WORKERS: 'false' });
  let admin: Client;
  let jobId: string;
  beforeAll(async () => {
    admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    const order = await body(
      t.acme.POST('/orders', {
        body: { customer_id: 'cus_unavailable', amount: 10, currency: 'EUR' },
      }),
      201,
    );
    const job = t.acme.POST('/bulk-jobs', {
      body: { operation: 'update_orders_status', items: [{ id: order.id, status: 'paid' }] },
    });
    jobId = (await body(job, 202)).id;
  });
  afterAll(async () => {
    await admin?.query(`ALTER DATABASE "${t.db.name}" ALLOW_CONNECTIONS true`);
    await admin?.end();
  });

  it('409 idempotency_key_in_use with Retry-After on POST /bulk-jobs while the first upload under the key streams', async () => {
    const key = `k-${randomUUID()}`;
    const line = '{"id":"ord_missing","status":"paid"}\n';
    const headers = {
      ...auth(),
      'Content-Type': 'application/x-ndjson',
      'Idempotency-Key': key,
    };
    // The first upload sends one line and keeps its body open: its key is claimed, its job unfinished
    // (a raw request on the app's real port).
    const first = request(`${await baseUrlOf(t)}/bulk-jobs?operation=update_orders_status`, {
      method: 'POST',
      headers,
    });
    const firstAnswer = new Promise<{ status: number; body: string }>((ok, fail) => {
      first.on('error', fail);
      first.on('response', (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: text }));
      });
    });
    first.write(line);
    // Its key is held while its body arrives (claimed in Postgres only once the body is in).
    for (let i = 0; ; i++) {
      const limits = await t.http.get('/limits').set(auth());
      const uploads = (limits.body as { data: { name: string; used: number }[] }).data.find(
        (l) => l.name === 'concurrent_uploads',
      );
      if (uploads?.used === 1) break;
      if (i > 200) throw new Error('the first upload never started arriving');
      await new Promise((r) => setTimeout(r, 25));
    }
    const second = await t.http
      .post('/bulk-jobs?operation=update_orders_status')
      .set(headers)
      .send(line);
    expect(second.status, second.text).toBe(409);
    expect(second.body.code).toBe('idempotency_key_in_use');
    expect(second.headers['retry-after']).toMatch(/^\d+$/);

    first.end(line);
    const done = await firstAnswer;
    expect(done.status, done.body).toBe(202);
    // The finished upload is what the key stands for now: the same bytes replay it.
    const replay = await t.http
      .post('/bulk-jobs?operation=update_orders_status')
      .set(headers)
      .send(line + line);
    expect(replay.status, replay.text).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.id).toBe((JSON.parse(done.body) as { id: string }).id);
  });

  it('503 service_unavailable with Retry-After on every bulk-job operation and GET /events while the database refuses connections', async () => {
    const name = t.db.name;
    // New connections are refused (FATAL 55000) and the app's open ones are ended, as when the
    // database goes away; the pools must fail over to 503, never 500.
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    let responses: [string, Response][];
    try {
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      const body = { operation: 'update_orders_status', items: [{ id: 'ord_x', status: 'paid' }] };
      responses = [
        ['GET /bulk-jobs', await t.http.get('/bulk-jobs').set(auth())],
        ['POST /bulk-jobs', await t.http.post('/bulk-jobs').set(auth()).send(body)],
        ['GET /bulk-jobs/{id}', await t.http.get(`/bulk-jobs/${jobId}`).set(auth())],
        ['DELETE /bulk-jobs/{id}', await t.http.delete(`/bulk-jobs/${jobId}`).set(auth())],
        ['GET …/items', await t.http.get(`/bulk-jobs/${jobId}/items`).set(auth())],
        ['GET …/results', await t.http.get(`/bulk-jobs/${jobId}/results`).set(auth())],
        ['POST …/cancel', await t.http.post(`/bulk-jobs/${jobId}/cancel`).set(auth())],
        ['POST …/retry', await t.http.post(`/bulk-jobs/${jobId}/retry`).set(auth())],
        ['GET /events', await t.http.get('/events').set(auth())],
      ];
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    }
    for (const [what, res] of responses) {
      expect(res.status, `${what}: ${res.text}`).toBe(503);
      expect(res.body.code, what).toBe('service_unavailable');
      expect(res.headers['retry-after'], what).toMatch(/^[1-9]\d*$/);
    }
    // Back: the same app serves again without a restart.
    const job = await t.http.get(`/bulk-jobs/${jobId}`).set(auth());
    expect(job.status, job.text).toBe(200);
    expect(job.body.id).toBe(jobId);
  });
});
