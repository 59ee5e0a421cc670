import { BULK_QUEUE } from '@app/jobs';
import {
  submitBulkJob,
  waitForJob as waitFor,
  type BulkJob,
  type BulkJobWebhookEventType,
  type CreateBulkJob,
} from '@app/sdk';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookDelivery, SPEC_PATH } from './support/openapi-validator';
import { answered, body, problem } from './support/sdk';
import { auth } from './support/test-app';
import { useTestApp } from './support/use-test-app';
import { eventually, sleep } from './support/wait';

/** Polls `predicate` every 50 ms until it holds (then fails naming `what`). */
const until = (
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
  const t = useTestApp({
    TEST_LABEL: 'webhooks',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_SECRET: secret,
    WEBHOOK_BACKOFF_BASE_MS: '200',
  });
  const receivers: Receiver[] = [];
  afterAll(() => Promise.all(receivers.map((r) => r.close())));

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  const createOrder = () =>
    body(
      t.acme.POST('/orders', {
        body: { customer_id: 'cus_webhooks', amount: 1000, currency: 'EUR' },
      }),
      201,
    );

  const submit = async (job: CreateBulkJob): Promise<BulkJob> => {
    const accepted = await body(t.acme.POST('/bulk-jobs', { body: job }), 202);
    expect(accepted.status).toBe('pending');
    return accepted;
  };

  /** A job moving a new order to paid, its webhook sent to `hook` (one more field from `extra`). */
  const paidJob = async (hook: Receiver, extra: Partial<CreateBulkJob> = {}) => {
    const order = await createOrder();
    const job = await submit({
      operation: 'update_orders_status',
      items: [{ id: order.id, status: 'paid' }],
      webhook_url: hook.url,
      ...extra,
    });
    return { order, job };
  };

  const waitForJob = (id: string) => waitFor(t.acme, id, { timeoutMs: 30_000, waitSeconds: 5 });

  /** The job's end, then its first `n` deliveries (named `what` in a timeout). */
  const delivered = async (hook: Receiver, jobId: string, n: number, what: string) => {
    const finished = await waitForJob(jobId);
    await until(() => hook.deliveries.length >= n, 20_000, what);
    return finished;
  };

  const eventRow = async (jobId: string) =>
    (
      await t.pg.query<{ id: string; delivery_status: string | null; delivery_attempts: number }>(
        'SELECT id, delivery_status, delivery_attempts FROM events WHERE job_id = $1',
        [jobId],
      )
    ).rows;

  /** GET /events (of one type), as `client` sees them. */
  const events = async (type?: BulkJobWebhookEventType, client = t.acme) =>
    (await body(client.GET('/events', { params: { query: { type } } }), 200)).data;

  const verify = (d: Delivery) => new Webhook(secret).verify(d.body, signatureHeaders(d));

  it('delivers a signed bulk_job.completed event that GET /events also lists', async () => {
    const hook = await receiver();
    const orders = [await createOrder(), await createOrder()];
    const job = await submit({
      operation: 'update_orders_status',
      items: orders.map((o) => ({ id: o.id, status: 'paid' })),
      webhook_url: hook.url,
    });
    const finished = await delivered(hook, job.id, 1, 'the webhook');
    expect(finished).toMatchObject({ status: 'completed', succeeded: 2, failed: 0 });

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

    expect(await events()).toContainEqual(event);
    const completed = await events('bulk_job.completed');
    expect(completed).toContainEqual(event);
    expect(completed.every((e) => e.type === 'bulk_job.completed')).toBe(true);
    expect((await events('bulk_job.failed')).map((e) => e.id)).not.toContain(event.id);
    // Another tenant never sees it.
    const other = await events(undefined, t.globex);
    expect(other.map((e) => e.id)).not.toContain(event.id);
    // An unknown type is outside the typed client: raw HTTP.
    await t.http.get('/events?type=bulk_job.exploded').set(auth()).expect(400);

    await until(async () => (await eventRow(job.id))[0]?.delivery_status === 'delivered', 5_000);
    expect(await eventRow(job.id)).toEqual([
      { id: event.id, delivery_status: 'delivered', delivery_attempts: 1 },
    ]);
    // Delivered once: no further attempts.
    await sleep(1_000);
    expect(hook.deliveries).toHaveLength(1);
  });

  it('retries after 500s with the same webhook-id until the receiver answers 200', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    const { job } = await paidJob(hook);
    await delivered(hook, job.id, 3, 'three deliveries');
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
    const { job } = await paidJob(hook);
    await delivered(hook, job.id, 1, 'the first delivery');
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

  /** The event of the job's single delivery, checked against the document and the signature. */
  const verifiedEvent = (hook: Receiver) => {
    expectDocumented(hook.deliveries[0]);
    return verify(hook.deliveries[0]) as { id: string; type: string; data: object };
  };
  const orderStatus = async (id: string) =>
    (await body(t.acme.GET('/orders/{id}', { params: { path: { id } } }), 200)).status;

  it('emits bulk_job.cancelled for a cancelled job', async () => {
    const hook = await receiver();
    const queue = t.app.get<Queue>(getQueueToken(BULK_QUEUE));
    await queue.pause(true);
    let job: BulkJob;
    let order: { id: string };
    try {
      ({ job, order } = await paidJob(hook));
      const cancel = t.acme.POST('/bulk-jobs/{id}/cancel', { params: { path: { id: job.id } } });
      expect(await body(cancel, 202)).toMatchObject({ id: job.id, status: 'cancelled' });
    } finally {
      await queue.resume(true);
    }
    const finished = await delivered(hook, job.id, 1, 'the cancelled event');
    expect(finished.status).toBe('cancelled');
    const event = verifiedEvent(hook);
    expect(event.type).toBe('bulk_job.cancelled');
    expect(event.data).toMatchObject({ id: job.id, status: 'cancelled', succeeded: 0 });
    // The order was never touched.
    expect(await orderStatus(order.id)).toBe('pending');
    expect((await events('bulk_job.cancelled')).map((e) => e.id)).toContain(event.id);
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
    const finished = await delivered(hook, job.id, 1, 'the failed event');
    expect(finished.status).toBe('failed');
    const event = verifiedEvent(hook);
    expect(event.type).toBe('bulk_job.failed');
    expect(event.data).toMatchObject({ id: job.id, status: 'failed', atomic: true, succeeded: 0 });
    expect(event.data).toEqual(finished);
    expect(await orderStatus(order.id)).toBe('pending');
    expect((await events('bulk_job.failed')).map((e) => e.id)).toContain(event.id);
  });

  it('does not follow redirects when delivering', async () => {
    const target = await receiver(() => 200);
    const redirector = await receiver(() => ({
      status: 302,
      headers: { location: `http://127.0.0.1:${target.port}/steal` },
    }));
    const { job } = await paidJob(redirector);
    // A 3xx counts as a failed attempt: wait for a retry, then some more.
    await delivered(redirector, job.id, 2, 'a retried delivery');
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
  // Explicitly off: the first app's setting must not carry over.
  const t = useTestApp({ TEST_LABEL: 'webhooks_ssrf', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false' });
  let hook: Receiver;
  beforeAll(async () => {
    hook = await startReceiver();
  });
  afterAll(() => hook?.close());

  it('refuses loopback, private, non-http and credentialed webhook URLs at submit with 400', async () => {
    const job: CreateBulkJob = {
      operation: 'update_orders_status',
      items: [{ id: 'ord_whatever', status: 'paid' }],
    };
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
      // problem(): 400 as application/problem+json.
      const refused = await problem(
        t.acme.POST('/bulk-jobs', { body: { ...job, webhook_url } }),
        400,
      );
      expect(refused, webhook_url).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(
        refused.errors?.map((e) => e.field),
        webhook_url,
      ).toContain('webhook_url');
    }
    // The same URLs in the query string of a streamed upload are refused too.
    await expect(
      submitBulkJob(t.acme, {
        operation: 'update_orders_status',
        format: 'ndjson',
        webhookUrl: hook.url,
        body: () => '{"id":"ord_whatever","status":"paid"}\n',
      }),
    ).rejects.toMatchObject({ status: 400, code: 'validation_failed' });

    const listed = async () => (await body(t.acme.GET('/bulk-jobs'), 200)).data;
    expect(await listed()).toEqual([]);
    expect(hook.deliveries).toHaveLength(0);

    // Control: the same request without a webhook is accepted (for another tenant).
    await answered(t.globex.POST('/bulk-jobs', { body: job }), 202);
    expect(await listed()).toEqual([]);
  });
});
