import { describe, expect, it } from 'vitest';
import { allowUndocumented } from './support/openapi-validator';
import { auth } from './support/test-app';
import { useTestApp } from './support/use-test-app';

describe('HTTP conventions', () => {
  const t = useTestApp({ TEST_LABEL: 'http', BODY_LIMIT_BYTES: '4096' });

  /** A raw POST /orders of `payload` as `type`: the bytes on the wire are what these tests vary. */
  const postRaw = (type: string, payload: string) =>
    t.http.post('/orders').set(auth()).set('content-type', type).send(payload);

  const expectProblem = (
    res: { headers: Record<string, string>; body: Record<string, unknown> },
    status: number,
    code: string,
  ) => {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code });
    expect(typeof res.body.type).toBe('string');
    expect(typeof res.body.title).toBe('string');
    expect(typeof res.body.detail).toBe('string');
  };

  describe('authentication', () => {
    it('401 + WWW-Authenticate without a key', async () => {
      const res = await t.http.get('/orders').expect(401);
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it.each(['Bearer wrong', 'Basic a2V5X2FjbWU6', 'Bearer', 'key_acme', 'Bearer key_acme extra'])(
      '401 for Authorization: %s',
      async (header) => {
        const res = await t.http.get('/orders').set('Authorization', header).expect(401);
        expectProblem(res, 401, 'unauthorized');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      },
    );

    it('accepts a configured key case-insensitively on the scheme', async () => {
      await t.http.get('/orders').set('Authorization', 'bearer key_acme').expect(200);
    });

    it('authenticates before checking the body', async () => {
      await t.http.post('/orders').set('content-type', 'text/plain').send('x').expect(401);
    });
  });

  describe('problem details', () => {
    it('400 for malformed JSON', async () => {
      expectProblem(await postRaw('application/json', '{"a":'), 400, 'validation_failed');
    });

    it('413 for a body over the limit', async () => {
      const big = JSON.stringify({ customer_id: 'x'.repeat(10_000), amount: 1, currency: 'EUR' });
      expectProblem(await postRaw('application/json', big), 413, 'payload_too_large');
    });

    it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
      '415 for %s',
      async (type) => {
        expectProblem(await postRaw(type, 'a=1'), 415, 'unsupported_media_type');
      },
    );

    it('415 for a body without Content-Type', async () => {
      const res = await t.http
        .post('/orders')
        .set(auth())
        .set('content-length', '2')
        .send(Buffer.from('{}'));
      expect([400, 415]).toContain(res.status);
    });

    it('404 problem for unknown routes and methods', async () => {
      const probe = 'a 404 probe for what the document does not list';
      allowUndocumented({ name: probe, method: 'GET', path: '/nothing-here', statuses: [404] });
      allowUndocumented({ name: probe, method: 'DELETE', path: '/orders', statuses: [404] });
      expectProblem(await t.http.get('/nothing-here').set(auth()), 404, 'not_found');
      expectProblem(await t.http.delete('/orders').set(auth()), 404, 'not_found');
    });

    it('400 for bad query parameters', async () => {
      expectProblem(await t.http.get('/orders?limit=abc').set(auth()), 400, 'validation_failed');
      expectProblem(await t.http.get('/orders?limit=101').set(auth()), 400, 'validation_failed');
      expectProblem(await t.http.get('/orders?status=nope').set(auth()), 400, 'validation_failed');
      expectProblem(await t.http.get('/orders?unknown=1').set(auth()), 400, 'validation_failed');
    });

    it('does not answer 500 for hostile input', async () => {
      const bodies = [
        '[]',
        'null',
        '"str"',
        '123',
        '{"__proto__":{"admin":true},"customer_id":"c","amount":1,"currency":"EUR"}',
        '{"constructor":{"prototype":{"x":1}}}',
        JSON.stringify({ customer_id: '\u0000\ud800', amount: 1, currency: 'EUR' }),
        '{"customer_id":{"$gt":""},"amount":1,"currency":"EUR"}',
        '{"a":' + '['.repeat(500) + ']'.repeat(500) + '}',
      ];
      for (const body of bodies) {
        const res = await postRaw('application/json', body);
        expect(res.status, body.slice(0, 40)).toBeLessThan(500);
      }
      const odd = [
        '/orders/%00',
        '/orders/' + 'x'.repeat(5000),
        '/orders/%E0%A4%A',
        '/orders?limit=1e3',
        '/orders?cursor[]=a',
      ];
      for (const path of odd) {
        const res = await t.http.get(path).set(auth());
        expect(res.status, path).toBeLessThan(500);
      }
    });
  });

  describe('health', () => {
    it('liveness and readiness are public and up', async () => {
      const live = await t.http.get('/health/live').expect(200);
      expect(live.body.status).toBe('ok');
      const ready = await t.http.get('/health/ready').expect(200);
      expect(ready.body.status).toBe('ok');
      expect(Object.keys(ready.body.details).sort()).toEqual(['database', 'queue', 'redis']);
    });
  });

  describe('OpenAPI', () => {
    it('serves a spec with unique SDK-friendly operationIds, bearer security and problem responses', async () => {
      const res = await t.http.get('/openapi.json').expect(200);
      const spec = res.body;
      expect(spec.openapi).toMatch(/^3\./);
      expect(spec.components.securitySchemes.bearer).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      const ops = Object.values(
        spec.paths as Record<
          string,
          Record<string, { operationId: string; responses: Record<string, unknown> }>
        >,
      ).flatMap((p) => Object.values(p));
      const ids = ops.map((o) => o.operationId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of [
        'createOrder',
        'getOrder',
        'updateOrder',
        'listOrders',
        'getLiveness',
        'getReadiness',
        'createBulkJob',
        'getBulkJob',
        'listBulkJobItems',
        'downloadBulkJobResults',
        'cancelBulkJob',
        'retryBulkJob',
        'deleteBulkJob',
        'listBulkJobs',
        'listEvents',
      ]) {
        expect(ids).toContain(id);
      }
      for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
      const create = spec.paths['/orders'].post;
      expect(create.responses['400'].content['application/problem+json']).toBeDefined();
      expect(create.responses['201'].headers.Location).toBeDefined();
      const bulk = spec.paths['/bulk-jobs'].post;
      expect(bulk.responses['202'].headers.Location).toBeDefined();
      expect(Object.keys(bulk.requestBody.content).sort()).toEqual([
        'application/json',
        'application/x-ndjson',
        'text/csv',
      ]);
      expect(
        spec.paths['/bulk-jobs/{id}'].get.parameters.map((p: { name: string }) => p.name),
      ).toContain('Prefer');
      for (const page of ['OrderPage', 'BulkJobPage', 'BulkJobItemPage', 'EventPage']) {
        expect(spec.components.schemas[page].properties).toHaveProperty('has_more');
      }
      expect(spec.paths['/health/live'].get.security).toEqual([]);
      expect(spec.components.schemas.OrderPage.properties).toHaveProperty('next_cursor');
    });

    it('serves the docs page', async () => {
      const res = await t.http.get('/docs').redirects(1).expect(200);
      expect(res.text).toMatch(/swagger/i);
    });
  });
});
