import { BulkRestError, JobWaitTimeoutError } from '@app/sdk';
import { describe, expect, it } from 'vitest';
import { UsageError } from './args';
import { formatAmount, jobExitCode, renderError } from './render';
import type { BulkJob } from '@app/sdk';

describe('renderError', () => {
  it('renders problem details readably, exit 1', () => {
    const response = new Response(null, { status: 400, headers: { 'Retry-After': '3' } });
    const error = BulkRestError.fromResponse(response, {
      type: 'https://problems/x',
      title: 'Bad Request',
      status: 400,
      detail: 'The request is invalid',
      code: 'validation_failed',
      errors: [{ field: 'items', message: 'items must be an array' }],
    });
    expect(renderError(error, 'http://api')).toEqual({
      code: 1,
      text:
        'error: Bad Request (HTTP 400, validation_failed)\n' +
        '  The request is invalid\n' +
        '  - items: items must be an array\n' +
        '  retry after 3s\n',
    });
  });

  it('maps usage errors to exit 2 and network errors to a readable exit 1', () => {
    expect(renderError(new UsageError('nope'), 'http://api').code).toBe(2);
    const network = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(renderError(network, 'http://api')).toEqual({
      code: 1,
      text: 'error: cannot reach http://api: fetch failed (ECONNREFUSED)\n',
    });
    expect(renderError(new JobWaitTimeoutError('job_1', 'processing', 5000), 'x').text).toBe(
      'error: gave up waiting: job job_1 still processing after 5s\n',
    );
  });
});

describe('jobExitCode', () => {
  it('is 0 only for a completed job without failed items', () => {
    const job = (status: BulkJob['status'], failed: number) => ({ status, failed }) as BulkJob;
    expect(jobExitCode(job('completed', 0))).toBe(0);
    expect(jobExitCode(job('completed', 1))).toBe(3);
    expect(jobExitCode(job('failed', 2))).toBe(3);
    expect(jobExitCode(job('cancelled', 0))).toBe(3);
  });
});

describe('formatAmount', () => {
  it("uses the currency's minor units", () => {
    expect(formatAmount(1999, 'EUR')).toBe('19.99 EUR');
    expect(formatAmount(500, 'JPY')).toBe('500 JPY');
    expect(formatAmount(1234, 'KWD')).toBe('1.234 KWD');
    expect(formatAmount(5, 'XXZ')).toBe('0.05 XXZ');
  });
});
