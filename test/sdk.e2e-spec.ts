import {
  BulkRestError,
  collect,
  createBulkRestClient,
  paginate,
  unwrap,
  verifyWebhook,
  waitForJob,
  WebhookVerificationError,
  type BulkRestClient,
  type Order,
} from '@app/sdk';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TENANTS, type TestApp } from './support/test-app';

interface Delivery {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A real webhook receiver on 127.0.0.1 that keeps the raw bodies, as a verifier must. */
async function startReceiver() {
  const deliveries: Delivery[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/bulk`,
    deliveries,
    async next(timeoutMs = 20_000): Promise<Delivery> {
      const deadline = Date.now() + timeoutMs;
      while (deliveries.length === 0) {
        if (Date.now() > deadline) throw new Error('no webhook delivery arrived');
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return deliveries.shift()!;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The seed scenario of seed/api-patterns.txt, driven only through @app/sdk over real HTTP. */
describe('SDK against the real app', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: BulkRestClient;
  let baseUrl: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({
      TEST_LABEL: 'sdk',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      WEBHOOK_SECRET: secret,
      WEBHOOK_BACKOFF_BASE_MS: '200',
    });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    client = createBulkRestClient({ baseUrl, apiKey: TENANTS.acme });
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    for (const key of [
      'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
      'WEBHOOK_SECRET',
      'WEBHOOK_BACKOFF_BASE_MS',
    ])
      delete process.env[key];
  });

  const createOrder = async (amount: number): Promise<Order> => {
    const result = await client.POST('/orders', {
      body: { customer_id: 'cus_sdk', amount, currency: 'EUR', status: 'paid' },
    });
    expect(result.response.status).toBe(201);
    expect(result.response.headers.get('location')).toBe(`/orders/${result.data?.id}`);
    return unwrap(result);
  };

  it('runs the seed scenario: orders, bulk job, wait, paginate', async () => {
    const a = await createOrder(1999);
    const b = await createOrder(500);
    expect([a.status, b.status]).toEqual(['paid', 'paid']);

    const submitted = await client.POST('/bulk-jobs', {
      body: {
        operation: 'update_orders_status',
        items: [
          { id: a.id, status: 'cancelled' },
          { id: b.id, status: 'shipped' },
        ],
        webhook_url: receiver.url,
      },
    });
    expect(submitted.response.status).toBe(202);
    const job = unwrap(submitted);
    expect(job.status).toBe('pending');
    expect(submitted.response.headers.get('location')).toBe(`/bulk-jobs/${job.id}`);

    const progress: string[] = [];
    const done = await waitForJob(client, job.id, {
      timeoutMs: 30_000,
      onProgress: (j) => progress.push(j.status),
    });
    expect(done).toMatchObject({
      id: job.id,
      status: 'completed',
      total_items: 2,
      succeeded: 2,
      failed: 0,
      progress: 100,
      result_url: `/bulk-jobs/${job.id}/results`,
    });
    expect(progress.at(-1)).toBe('completed');

    const after = await collect(
      paginate((query) => client.GET('/orders', { params: { query } }), { limit: 1 }),
    );
    // Newest first, one order per page: every page was followed through next_cursor.
    expect(after.map((o) => o.id)).toEqual([b.id, a.id]);
    expect(after.map((o) => o.status)).toEqual(['shipped', 'cancelled']);

    const items = await collect(
      paginate(
        (query) => client.GET('/bulk-jobs/{id}/items', { params: { path: { id: job.id }, query } }),
        { limit: 1 },
      ),
    );
    expect(items.map((i) => [i.index, i.id, i.status])).toEqual([
      [0, a.id, 'succeeded'],
      [1, b.id, 'succeeded'],
    ]);

    // The server signed the job's webhook; the SDK verifies it from the raw delivery.
    const delivery = await receiver.next();
    const event = verifyWebhook(secret, delivery.headers, delivery.body);
    expect(event).toMatchObject({ type: 'bulk_job.completed', data: { id: job.id } });
    expect(event.id).toMatch(/^evt_/);
    expect(() =>
      verifyWebhook(`whsec_${randomBytes(24).toString('base64')}`, delivery.headers, delivery.body),
    ).toThrow(WebhookVerificationError);
    const tampered = Buffer.from(delivery.body.toString('utf8').replace('completed', 'cancelled'));
    expect(() => verifyWebhook(secret, delivery.headers, tampered)).toThrow(
      WebhookVerificationError,
    );
  });

  it('replays a POST sent again with the same explicit Idempotency-Key', async () => {
    const key = randomUUID();
    const send = () =>
      client.POST('/orders', {
        params: { header: { 'Idempotency-Key': key } },
        body: { customer_id: 'cus_sdk_replay', amount: 4200, currency: 'EUR' },
      });
    const first = await send();
    const second = await send();
    expect(first.response.status).toBe(201);
    expect(second.response.status).toBe(201);
    expect(second.response.headers.get('idempotent-replayed')).toBe('true');
    expect(unwrap(second)).toEqual(unwrap(first));
    const all = await collect(
      paginate((query) => client.GET('/orders', { params: { query } }), {
        customer_id: 'cus_sdk_replay',
        limit: 1,
      }),
    );
    expect(all.map((o) => o.id)).toEqual([unwrap(first).id]);

    // Same key, another request: 422, surfaced as a BulkRestError with the problem's code.
    const reused = await client.POST('/orders', {
      params: { header: { 'Idempotency-Key': key } },
      body: { customer_id: 'cus_sdk_replay', amount: 1, currency: 'EUR' },
    });
    const error = (() => {
      try {
        unwrap(reused);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BulkRestError);
    expect(error).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  it('gives every POST its own automatic key (two calls, two orders)', async () => {
    const body = { customer_id: 'cus_sdk_auto', amount: 1, currency: 'EUR' };
    const first = unwrap(await client.POST('/orders', { body }));
    const second = unwrap(await client.POST('/orders', { body }));
    expect(first.id).not.toBe(second.id);
  });

  it('surfaces problem details for an unknown job and a bad key', async () => {
    await expect(waitForJob(client, 'job_doesnotexist')).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    const anonymous = createBulkRestClient({ baseUrl, apiKey: 'wrong-key' });
    const result = await anonymous.GET('/orders', {});
    expect(result.response.status).toBe(401);
    expect(() => unwrap(result)).toThrow(BulkRestError);
  });
});
