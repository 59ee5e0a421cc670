import { BULK_QUEUE } from '@app/jobs';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookDelivery, SPEC_PATH } from './support/openapi-validator';
import { auth, createTestApp, type TestApp } from './support/test-app';
import { eventually, sleep } from './support/wait';
import { waitForJob as waitForJobOf } from './support/bulk';

/** Polls `predicate` every 50 ms until it holds (then fails naming `what`). */
const waitFor = (
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
) => eventually(what, predicate, timeoutMs, 50);

interface Delivery {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  port: number;
  deliveries: Delivery[];
  close(): Promise<void>;
}

/**
 * A real HTTP receiver on 127.0.0.1 (port 0). `respond(n, delivery)` picks the answer for the n-th
 * request (1-based): a status code, or a status with headers.
 */
async function startReceiver(
  respond: (
    n: number,
    d: Delivery,
  ) => number | { status: number; headers: Record<string, string> } = () => 200,
): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const d: Delivery = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      deliveries.push(d);
      const answer = respond(deliveries.length, d);
      const { status, headers } =
        typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(String(status));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as {
  'x-webhooks': Record<string, { post: { parameters: { $ref: string }[] } }>;
  components: { parameters: Record<string, { name: string; in: string; required: boolean }> };
};

/** A delivery matches what the committed openapi.json documents for its event type. */
const expectDocumented = (d: Delivery) => {
  expect(checkWebhookDelivery(d.headers, d.body)).toEqual([]);
};

const signatureHeaders = (d: Delivery) => ({
  'webhook-id': String(d.headers['webhook-id']),
  'webhook-timestamp': String(d.headers['webhook-timestamp']),
  'webhook-signature': String(d.headers['webhook-signature']),
});

describe('webhooks (private networks allowed)', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let t: TestApp;
  let pg: Client;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      TEST_LABEL: 'webhooks',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_SECRET: secret,
      WEBHOOK_BACKOFF_BASE_MS: '200',
    });
    pg = new Client({ connectionString: t.db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await t?.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  const createOrder = async (tenant: 'acme' | 'globex' = 'acme') =>
    (
      await t.http
        .post('/orders')
        .set(auth(tenant))
        .send({ customer_id: 'cus_webhooks', amount: 1000, currency: 'EUR' })
        .expect(201)
    ).body as { id: string; status: string };

  const submit = async (body: Record<string, unknown>, tenant: 'acme' | 'globex' = 'acme') => {
    const res = await t.http.post('/bulk-jobs').set(auth(tenant)).send(body).expect(202);
    expect(res.body.status).toBe('pending');
    return res.body as { id: string; status: string };
  };

  const waitForJob = (id: string, tenant: 'acme' | 'globex' = 'acme') =>
    waitForJobOf(t.http, id, tenant, 30_000);

  const eventRow = async (jobId: string) =>
    (
      await pg.query<{ id: string; delivery_status: string | null; delivery_attempts: number }>(
        'SELECT id, delivery_status, delivery_attempts FROM events WHERE job_id = $1',
        [jobId],
      )
    ).rows;

  const verify = (d: Delivery) => new Webhook(secret).verify(d.body, signatureHeaders(d));

  it('delivers a signed bulk_job.completed event that GET /events also lists', async () => {
    const hook = await receiver();
    const orders = [await createOrder(), await createOrder()];
    const job = await submit({
      operation: 'update_orders_status',
      items: orders.map((o) => ({ id: o.id, status: 'paid' })),
      webhook_url: hook.url,
    });
    const finished = await waitForJob(job.id);
    expect(finished).toMatchObject({ status: 'completed', succeeded: 2, failed: 0 });
    await waitFor(() => hook.deliveries.length >= 1, 20_000, 'the webhook');

    const [d] = hook.deliveries;
    expect(d.method).toBe('POST');
    expect(d.url).toBe('/hook');
    expect(d.headers['content-type']).toMatch(/^application\/json/);
    expect(d.headers['webhook-id']).toMatch(/^evt_/);
    expect(d.headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(Math.abs(Number(d.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(d.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expectDocumented(d);
    // The documented headers are exactly the webhook-* headers sent, for every event type.
    const sent = Object.keys(d.headers)
      .filter((h) => h.startsWith('webhook-'))
      .sort();
    expect(sent).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(Object.keys(spec['x-webhooks']).sort()).toEqual([
      'bulk_job.cancelled',
      'bulk_job.completed',
      'bulk_job.failed',
    ]);
    for (const hookDoc of Object.values(spec['x-webhooks'])) {
      const documented = hookDoc.post.parameters.map(
        (p) => spec.components.parameters[p.$ref.replace('#/components/parameters/', '')],
      );
      expect(documented.every((p) => p.in === 'header' && p.required)).toBe(true);
      expect(documented.map((p) => p.name).sort()).toEqual(sent);
    }
    // The check is a real one: a body that breaks the documented schema is caught.
    const broken = { ...JSON.parse(d.body), data: { id: 42 } };
    expect(checkWebhookDelivery(d.headers, JSON.stringify(broken)).length).toBeGreaterThan(0);
    const unsigned = { ...d.headers, 'webhook-signature': undefined };
    expect(checkWebhookDelivery(unsigned, d.body)).toEqual([
      'required header webhook-signature missing',
    ]);
    const verified = verify(d);
    const event = JSON.parse(d.body) as {
      id: string;
      type: string;
      created_at: string;
      data: Record<string, unknown>;
    };
    expect(verified).toEqual(event);
    expect(Object.keys(event).sort()).toEqual(['created_at', 'data', 'id', 'type']);
    expect(event.id).toBe(d.headers['webhook-id']);
    expect(event.type).toBe('bulk_job.completed');
    expect(new Date(event.created_at).toISOString()).toBe(event.created_at);
    expect(event.data).toMatchObject({
      id: job.id,
      status: 'completed',
      operation: 'update_orders_status',
      total_items: 2,
      succeeded: 2,
      webhook_url: hook.url,
    });
    // `data` is the job resource as GET /bulk-jobs/{id} shows it.
    expect(event.data).toEqual(finished);

    // Another secret does not verify it.
    expect(() =>
      new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(
        d.body,
        signatureHeaders(d),
      ),
    ).toThrow();

    const listed = await t.http.get('/events').set(auth()).expect(200);
    expect(listed.body.data).toContainEqual(event);
    const completed = await t.http.get('/events?type=bulk_job.completed').set(auth()).expect(200);
    expect(completed.body.data).toContainEqual(event);
    expect(
      completed.body.data.every((e: { type: string }) => e.type === 'bulk_job.completed'),
    ).toBe(true);
    const failed = await t.http.get('/events?type=bulk_job.failed').set(auth()).expect(200);
    expect(failed.body.data.map((e: { id: string }) => e.id)).not.toContain(event.id);
    // Another tenant never sees it.
    const other = await t.http.get('/events').set(auth('globex')).expect(200);
    expect(other.body.data.map((e: { id: string }) => e.id)).not.toContain(event.id);
    await t.http.get('/events?type=bulk_job.exploded').set(auth()).expect(400);

    await waitFor(async () => (await eventRow(job.id))[0]?.delivery_status === 'delivered', 5_000);
    expect(await eventRow(job.id)).toEqual([
      { id: event.id, delivery_status: 'delivered', delivery_attempts: 1 },
    ]);
    // Delivered once: no further attempts.
    await sleep(1_000);
    expect(hook.deliveries).toHaveLength(1);
  });

  it('retries after 500s with the same webhook-id until the receiver answers 200', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    const order = await createOrder();
    const job = await submit({
      operation: 'update_orders_status',
      items: [{ id: order.id, status: 'paid' }],
      webhook_url: hook.url,
    });
    await waitForJob(job.id);
    await waitFor(() => hook.deliveries.length >= 3, 20_000, 'three deliveries');
    // Give a (wrong) fourth attempt time to show up.
    await sleep(2_000);
    expect(hook.deliveries).toHaveLength(3);
    const ids = new Set(hook.deliveries.map((d) => d.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const [eventId] = ids;
    expect(eventId).toMatch(/^evt_/);
    for (const d of hook.deliveries) {
      expect(verify(d)).toMatchObject({ id: eventId, type: 'bulk_job.completed' });
    }
    // The same event body every time.
    expect(new Set(hook.deliveries.map((d) => d.body)).size).toBe(1);
    expect(JSON.parse(hook.deliveries[0].body).data).toMatchObject({
      id: job.id,
      status: 'completed',
    });
    expect(await eventRow(job.id)).toEqual([
      { id: eventId, delivery_status: 'delivered', delivery_attempts: 3 },
    ]);
  });

  it('stops after a 410 Gone without retrying', async () => {
    const hook = await receiver(() => 410);
    const order = await createOrder();
    const job = await submit({
      operation: 'update_orders_status',
      items: [{ id: order.id, status: 'paid' }],
      webhook_url: hook.url,
    });
    await waitForJob(job.id);
    await waitFor(() => hook.deliveries.length >= 1, 20_000, 'the first delivery');
    // With a 200 ms backoff base a retry would arrive well within this.
    await sleep(3_000);
    expect(hook.deliveries).toHaveLength(1);
    expect(verify(hook.deliveries[0])).toMatchObject({ type: 'bulk_job.completed' });
    expect(await eventRow(job.id)).toEqual([
      {
        id: hook.deliveries[0].headers['webhook-id'],
        delivery_status: 'gone',
        delivery_attempts: 1,
      },
    ]);
  });

  it('emits bulk_job.cancelled for a cancelled job', async () => {
    const hook = await receiver();
    const queue = t.app.get<Queue>(getQueueToken(BULK_QUEUE));
    const order = await createOrder();
    await queue.pause(true);
    let job: { id: string };
    try {
      job = await submit({
        operation: 'update_orders_status',
        items: [{ id: order.id, status: 'paid' }],
        webhook_url: hook.url,
      });
      const cancelled = await t.http.post(`/bulk-jobs/${job.id}/cancel`).set(auth()).expect(202);
      expect(cancelled.body).toMatchObject({ id: job.id, status: 'cancelled' });
    } finally {
      await queue.resume(true);
    }
    const finished = await waitForJob(job.id);
    expect(finished.status).toBe('cancelled');
    await waitFor(() => hook.deliveries.length >= 1, 20_000, 'the cancelled event');
    expectDocumented(hook.deliveries[0]);
    const event = verify(hook.deliveries[0]) as { id: string; type: string; data: object };
    expect(event.type).toBe('bulk_job.cancelled');
    expect(event.data).toMatchObject({ id: job.id, status: 'cancelled', succeeded: 0 });
    // The order was never touched.
    const got = await t.http.get(`/orders/${order.id}`).set(auth()).expect(200);
    expect(got.body.status).toBe('pending');
    const listed = await t.http.get('/events?type=bulk_job.cancelled').set(auth()).expect(200);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toContain(event.id);
    await sleep(500);
    expect(hook.deliveries).toHaveLength(1);
  });

  it('emits bulk_job.failed for an atomic job with a bad item', async () => {
    const hook = await receiver();
    const order = await createOrder();
    const job = await submit({
      operation: 'update_orders_status',
      atomic: true,
      items: [
        { id: order.id, status: 'paid' },
        { id: 'ord_doesnotexist000000', status: 'paid' },
      ],
      webhook_url: hook.url,
    });
    const finished = await waitForJob(job.id);
    expect(finished.status).toBe('failed');
    await waitFor(() => hook.deliveries.length >= 1, 20_000, 'the failed event');
    expectDocumented(hook.deliveries[0]);
    const event = verify(hook.deliveries[0]) as {
      id: string;
      type: string;
      data: Record<string, unknown>;
    };
    expect(event.type).toBe('bulk_job.failed');
    expect(event.data).toMatchObject({ id: job.id, status: 'failed', atomic: true, succeeded: 0 });
    expect(event.data).toEqual(finished);
    const got = await t.http.get(`/orders/${order.id}`).set(auth()).expect(200);
    expect(got.body.status).toBe('pending');
    const listed = await t.http.get('/events?type=bulk_job.failed').set(auth()).expect(200);
    expect(listed.body.data.map((e: { id: string }) => e.id)).toContain(event.id);
  });

  it('does not follow redirects when delivering', async () => {
    const target = await receiver(() => 200);
    const redirector = await receiver(() => ({
      status: 302,
      headers: { location: `http://127.0.0.1:${target.port}/steal` },
    }));
    const order = await createOrder();
    const job = await submit({
      operation: 'update_orders_status',
      items: [{ id: order.id, status: 'paid' }],
      webhook_url: redirector.url,
    });
    await waitForJob(job.id);
    // A 3xx counts as a failed attempt: wait for a retry, then some more.
    await waitFor(() => redirector.deliveries.length >= 2, 20_000, 'a retried delivery');
    await sleep(1_000);
    expect(redirector.deliveries.length).toBeGreaterThanOrEqual(2);
    expect(target.deliveries).toHaveLength(0);
    for (const d of redirector.deliveries)
      expect(verify(d)).toMatchObject({ type: 'bulk_job.completed' });
    const [row] = await eventRow(job.id);
    expect(row.delivery_status).not.toBe('delivered');
  });
});

describe('webhooks (private networks refused)', () => {
  let t: TestApp;
  let hook: Receiver;

  beforeAll(async () => {
    // The first app's setting lives in process.env: this app must start without it.
    delete process.env.WEBHOOK_ALLOW_PRIVATE_NETWORKS;
    hook = await startReceiver();
    t = await createTestApp({ TEST_LABEL: 'webhooks_ssrf' });
  });
  afterAll(async () => {
    await t?.close();
    await hook?.close();
    // Leave no webhook settings behind for test files that share this worker process.
    delete process.env.WEBHOOK_SECRET;
    delete process.env.WEBHOOK_BACKOFF_BASE_MS;
  });

  it('refuses loopback, private, non-http and credentialed webhook URLs at submit with 400', async () => {
    const urls = [
      hook.url,
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'ftp://example.com/x',
      'http://user:pw@example.com/',
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://2130706433/hook',
    ];
    for (const webhook_url of urls) {
      const res = await t.http
        .post('/bulk-jobs')
        .set(auth())
        .send({
          operation: 'update_orders_status',
          items: [{ id: 'ord_whatever', status: 'paid' }],
          webhook_url,
        });
      expect(res.status, webhook_url).toBe(400);
      expect(res.headers['content-type'], webhook_url).toMatch(/^application\/problem\+json/);
      expect(res.body, webhook_url).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(
        (res.body.errors as { field: string }[]).map((e) => e.field),
        webhook_url,
      ).toContain('webhook_url');
    }
    // The same URLs in the query string of a streamed upload are refused too.
    const streamed = await t.http
      .post(`/bulk-jobs?operation=update_orders_status&webhook_url=${encodeURIComponent(hook.url)}`)
      .set(auth())
      .set('content-type', 'application/x-ndjson')
      .send('{"id":"ord_whatever","status":"paid"}\n');
    expect(streamed.status).toBe(400);
    expect(streamed.body.code).toBe('validation_failed');

    const jobs = await t.http.get('/bulk-jobs').set(auth()).expect(200);
    expect(jobs.body.data).toEqual([]);
    expect(hook.deliveries).toHaveLength(0);

    // Control: the same request without a webhook is accepted (for another tenant).
    await t.http
      .post('/bulk-jobs')
      .set(auth('globex'))
      .send({ operation: 'update_orders_status', items: [{ id: 'ord_whatever', status: 'paid' }] })
      .expect(202);
    const stillEmpty = await t.http.get('/bulk-jobs').set(auth()).expect(200);
    expect(stillEmpty.body.data).toEqual([]);
  });
});
