import { describe, expect, it } from 'vitest';
import { createBulkRestClient } from './client';
import { BulkRestError, JobWaitTimeoutError } from './errors';
import { json, scriptedFetch } from './testing/fake-fetch';
import type { BulkJob } from './types';
import { waitForJob } from './wait-for-job';

const job = (status: BulkJob['status'], processed = 0): BulkJob => ({
  id: 'job_1',
  operation: 'update_orders_status',
  status,
  atomic: false,
  priority: 'normal',
  queue_position: status === 'pending' ? 1 : null,
  total_items: 2,
  processed_items: processed,
  succeeded: processed,
  failed: 0,
  progress: processed * 50,
  created_at: '2026-01-13T15:15:00.000Z',
  started_at: null,
  completed_at: null,
  expires_at: null,
  webhook_url: null,
  result_url: null,
  retry_of: null,
  error: null,
  links: { self: '/bulk-jobs/job_1', items: '', results: '', cancel: '' },
});

const client = (script: Parameters<typeof scriptedFetch>[0]) => {
  const fake = scriptedFetch(script);
  return { c: createBulkRestClient({ baseUrl: 'http://api.test', fetch: fake.fetch }), ...fake };
};

describe('waitForJob', () => {
  it('long-polls with Prefer: wait=N until the job is terminal, reporting progress', async () => {
    const { c, requests } = client([
      json(200, job('pending'), { 'Retry-After': '2', 'Preference-Applied': 'wait=20' }),
      json(200, job('processing', 1), { 'Retry-After': '2', 'Preference-Applied': 'wait=20' }),
      json(200, job('completed', 2)),
    ]);
    const seen: string[] = [];
    const done = await waitForJob(c, 'job_1', { onProgress: (j) => seen.push(j.status) });
    expect(done.status).toBe('completed');
    expect(seen).toEqual(['pending', 'processing', 'completed']);
    expect(requests.map((r) => r.headers.prefer)).toEqual(['wait=20', 'wait=20', 'wait=20']);
    expect(requests[0].url).toBe('http://api.test/bulk-jobs/job_1');
  });

  it('never asks for more than 60 s or than the time left', async () => {
    const { c, requests } = client([json(200, job('completed', 2))]);
    await waitForJob(c, 'job_1', { waitSeconds: 600 });
    expect(requests[0].headers.prefer).toBe('wait=60');
    const second = client([json(200, job('completed', 2))]);
    await waitForJob(second.c, 'job_1', { waitSeconds: 30, timeoutMs: 4500 });
    expect(second.requests[0].headers.prefer).toBe('wait=4');
  });

  it('sleeps for Retry-After when the server did not hold the request', async () => {
    const { c, requests } = client([
      json(200, job('processing', 1), { 'Retry-After': '1' }),
      json(200, job('completed', 2)),
    ]);
    const started = Date.now();
    await waitForJob(c, 'job_1', { waitSeconds: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(requests[0].headers.prefer).toBeUndefined();
  });

  it('times out with the last status seen', async () => {
    const { c } = client([
      json(200, job('processing', 1), { 'Retry-After': '1' }),
      json(200, job('processing', 1), { 'Retry-After': '1' }),
    ]);
    const error: unknown = await waitForJob(c, 'job_1', { timeoutMs: 300 }).catch((e) => e);
    expect(error).toBeInstanceOf(JobWaitTimeoutError);
    expect(error).toMatchObject({ jobId: 'job_1', lastStatus: 'processing' });
  });

  it('throws the problem of an unknown job', async () => {
    const { c } = client([
      json(404, {
        type: 'x',
        title: 'Not Found',
        status: 404,
        detail: 'No job',
        code: 'not_found',
      }),
    ]);
    const error: unknown = await waitForJob(c, 'job_x').catch((e) => e);
    expect(error).toBeInstanceOf(BulkRestError);
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
  });
});
