import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './domain-error';
import { ProblemException } from './problem.exception';
import { toProblemException } from './problem.mapper';
import { PROBLEM_TYPE_BASE, ProblemCode } from './problem.types';

/** The problem `error` maps to, with its `status` and `code` checked where given. */
function mapped(error: unknown, status?: number, code?: string): ProblemException {
  const p = toProblemException(error);
  expect(p).toBeInstanceOf(ProblemException);
  if (status !== undefined) expect(p?.getStatus()).toBe(status);
  if (code !== undefined) expect(p?.code).toBe(code);
  return p as ProblemException;
}

describe('toProblemException', () => {
  describe('ProblemException', () => {
    it('passes through the same instance unchanged', () => {
      const original = new ProblemException(
        422,
        ProblemCode.IdempotencyKeyReused,
        'custom detail',
        {
          errors: [{ field: 'x', message: 'bad' }],
          headers: { 'X-Test': '1' },
        },
      );
      const p = toProblemException(original);
      expect(p).toBe(original);
      expect(p?.getStatus()).toBe(422);
      expect(p?.code).toBe(ProblemCode.IdempotencyKeyReused);
      expect(p?.detail).toBe('custom detail');
      expect(p?.headers).toEqual({ 'X-Test': '1' });
    });

    it('passes through factory-built problems', () => {
      const nf = ProblemException.notFound('Order', 'ord_1');
      expect(toProblemException(nf)).toBe(nf);
      const un = ProblemException.unavailable('down');
      expect(toProblemException(un)).toBe(un);
    });
  });

  describe('domain errors', () => {
    it("renders a service's invalid input as 400 validation_failed with its field errors", () => {
      const p = toProblemException(
        new InvalidInputError([{ field: 'items', message: 'items must contain at least 1 item' }]),
      );
      expect(p?.getStatus()).toBe(400);
      expect(p?.toProblem()).toMatchObject({
        code: ProblemCode.ValidationFailed,
        detail: 'The request is invalid',
        errors: [{ field: 'items', message: 'items must contain at least 1 item' }],
      });
    });
  });

  describe('Nest HttpException', () => {
    it('NotFoundException -> 404 not_found', () => {
      const p = mapped(new NotFoundException(), 404, ProblemCode.NotFound);
      expect(p.code).toBe('not_found');
      expect(p.detail).toBe('Not Found');
    });

    it('NotFoundException keeps a custom message', () => {
      const p = mapped(new NotFoundException('Cannot GET /nope'), 404);
      expect(p.detail).toBe('Cannot GET /nope');
    });

    it('BadRequestException with an array message -> 400 validation_failed, messages joined', () => {
      const p = mapped(
        new BadRequestException(['name must be a string', 'age must be an integer']),
        400,
        'validation_failed',
      );
      expect(p.detail).toBe('name must be a string; age must be an integer');
    });

    it('BadRequestException with a string message', () => {
      const p = mapped(new BadRequestException('nope'), 400, 'validation_failed');
      expect(p.detail).toBe('nope');
    });

    it('PayloadTooLargeException -> 413 payload_too_large', () => {
      mapped(new PayloadTooLargeException(), 413, 'payload_too_large');
    });

    it('UnauthorizedException -> 401 unauthorized', () => {
      const p = mapped(new UnauthorizedException('missing API key'), 401, 'unauthorized');
      expect(p.detail).toBe('missing API key');
    });

    it.each([
      [new ForbiddenException(), 403, 'forbidden'],
      [new ConflictException(), 409, 'conflict'],
      [new UnsupportedMediaTypeException(), 415, 'unsupported_media_type'],
      [new HttpException('slow down', 429), 429, 'rate_limited'],
      [new HttpException('down', 503), 503, 'service_unavailable'],
      [new InternalServerErrorException(), 500, 'internal_error'],
      [new HttpException('gateway', 502), 502, 'internal_error'],
    ])('%s -> %i %s', (error, status, code) => {
      mapped(error, status, code);
    });

    it('a string response is used as the detail', () => {
      expect(mapped(new HttpException('teapot', 418)).detail).toBe('teapot');
    });

    it('an object response without a message falls back to the error message', () => {
      const e = new HttpException({ reason: 'x' }, 400);
      const p = mapped(e, 400);
      expect(p.detail).toBe(e.message);
    });
  });

  describe('body-parser errors', () => {
    it('entity.too.large -> 413 payload_too_large with the limit in the detail', () => {
      const p = mapped(
        { type: 'entity.too.large', status: 413, limit: 10 },
        413,
        'payload_too_large',
      );
      expect(p.detail).toContain('10 bytes');
    });

    it('entity.too.large without a limit still maps to 413', () => {
      mapped({ type: 'entity.too.large', status: 413 }, 413, 'payload_too_large');
    });

    it('entity.parse.failed -> 400 validation_failed with a body field error', () => {
      const message = 'Unexpected token } in JSON at position 10';
      const p = mapped(
        { type: 'entity.parse.failed', status: 400, message },
        400,
        'validation_failed',
      );
      const problem = p.toProblem();
      expect(problem.errors).toHaveLength(1);
      expect(problem.errors?.[0].field).toBe('body');
      expect(problem.errors?.[0].message).toBe(message);
    });

    it('a real SyntaxError decorated by body-parser maps the same way', () => {
      const err = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
        type: 'entity.parse.failed',
        status: 400,
        statusCode: 400,
      });
      const p = mapped(err, 400);
      expect(p.toProblem().errors).toEqual([
        { field: 'body', message: 'Unexpected end of JSON input' },
      ]);
    });

    it.each(['charset.unsupported', 'encoding.unsupported'])(
      '%s -> 415 unsupported_media_type',
      (type) => {
        mapped({ type }, 415, 'unsupported_media_type');
      },
    );

    it.each([
      'request.aborted',
      'request.size.invalid',
      'stream.encoding.set',
      'stream.not.readable',
    ])('%s -> 400', (type) => {
      const p = mapped({ type, message: 'could not read' }, 400, 'validation_failed');
      expect(p.detail).toBe('could not read');
    });
  });

  describe('Postgres errors', () => {
    it.each(['22P02', '22021', '22003', '22001', '22007', '23502', '23514', '54000'])(
      'driver code %s -> 400 validation_failed',
      (code) => {
        const p = mapped(
          {
            name: 'QueryFailedError',
            driverError: { code, message: 'invalid input' },
          },
          400,
          'validation_failed',
        );
        // The database's own message (table, index, column details) is never echoed to clients.
        expect(p.detail).not.toContain('invalid input');
        expect(p.detail).toMatch(/cannot be stored/);
      },
    );

    it('22P02 on the error itself (no driverError) -> 400', () => {
      const p = mapped({ code: '22P02', message: 'invalid input syntax for type uuid' }, 400);
      expect(p.detail).not.toContain('uuid');
      expect(p.detail).toMatch(/cannot be stored/);
    });

    it.each([
      ['23505 unique violation', { code: '23505', message: 'duplicate key' }],
      ['23503 foreign key violation', { code: '23503', severity: 'ERROR' }],
    ])('%s -> 409 conflict', (_what, driverError) => {
      mapped({ name: 'QueryFailedError', driverError }, 409, 'conflict');
    });

    it.each(['25006', '42501', '42P01', 'P0001', 'XX000'])(
      'any other Postgres refusal (%s) -> 503 with Retry-After, never a 500',
      (code) => {
        const p = mapped(
          { name: 'QueryFailedError', driverError: { code, severity: 'ERROR' } },
          503,
          'service_unavailable',
        );
        expect(p.headers['Retry-After']).toMatch(/^\d+$/);
      },
    );

    it('40001 serialization failure -> 503 with Retry-After 1', () => {
      const p = mapped(
        {
          name: 'QueryFailedError',
          driverError: { code: '40001', message: 'could not serialize access' },
        },
        503,
        'service_unavailable',
      );
      expect(p.headers).toEqual({ 'Retry-After': '1' });
    });

    it.each(['40P01', '55P03', '57014'])('transient code %s -> 503 with Retry-After 1', (code) => {
      const p = mapped({ name: 'QueryFailedError', driverError: { code } }, 503);
      expect(p.headers['Retry-After']).toBe('1');
    });
  });

  describe('unavailable dependencies', () => {
    it.each([
      ['ECONNREFUSED', { code: 'ECONNREFUSED' }],
      ['ECONNRESET', { code: 'ECONNRESET' }],
      ['ETIMEDOUT', { code: 'ETIMEDOUT' }],
      ['ENOTFOUND', { code: 'ENOTFOUND' }],
      ['connection terminated', { message: 'Connection terminated unexpectedly' }],
      ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
      ['Redis connection closed', new Error('Connection is closed.')],
      [
        'admin shutdown 57P01',
        {
          name: 'QueryFailedError',
          driverError: { code: '57P01', message: 'terminating connection' },
        },
      ],
      ['cannot connect now 57P03', { driverError: { code: '57P03' } }],
      ['connection exception 08006', { driverError: { code: '08006' } }],
      ['too many connections 53300', { code: '53300' }],
      ['MaxRetriesPerRequestError', { name: 'MaxRetriesPerRequestError' }],
      [
        'ioredis max retries message',
        new Error('Reached the max retries per request limit (which is 20).'),
      ],
      ['database starting up', { message: 'the database system is starting up' }],
      [
        'driverError wrapped net error',
        { name: 'QueryFailedError', driverError: { code: 'ECONNREFUSED' } },
      ],
      [
        'wrapper message with unrelated driver code',
        { message: 'Connection terminated', driverError: { code: 'XX000' } },
      ],
    ])('%s -> 503 service_unavailable with Retry-After', (_label, error) => {
      const p = mapped(error, 503, 'service_unavailable');
      expect(p.headers['Retry-After']).toMatch(/^\d+$/);
      expect(Number(p.headers['Retry-After'])).toBeGreaterThan(0);
    });

    it('uses a default Retry-After of 5 seconds', () => {
      expect(mapped({ code: 'ECONNREFUSED' }).headers).toEqual({ 'Retry-After': '5' });
    });
  });

  describe('other errors', () => {
    it('EntityNotFoundError -> 404 not_found', () => {
      mapped({ name: 'EntityNotFoundError' }, 404, 'not_found');
    });

    it('a 4xx status on a foreign error is kept', () => {
      const p = mapped({ status: 405, message: 'nope' }, 405, 'method_not_allowed');
      expect(p.detail).toBe('nope');
      const q = mapped({ statusCode: 429 });
      expect(q.getStatus()).toBe(429);
      expect(q.code).toBe('rate_limited');
    });

    it('a 5xx status on a foreign error is treated as unexpected', () => {
      expect(toProblemException({ status: 500, message: 'x' })).toBeUndefined();
    });

    it.each([
      ['plain Error', new Error('boom')],
      ['TypeError', new TypeError('x is undefined')],
      ['string', 'boom'],
      ['null', null],
      ['undefined', undefined],
      ['number', 42],
      ['empty object', {}],
      ['unknown pg code', { driverError: { code: 'XX000', message: 'internal' } }],
    ])('%s -> undefined', (_label, error) => {
      expect(toProblemException(error)).toBeUndefined();
    });
  });
});

describe('ProblemException.toProblem', () => {
  it('renders the problem details shape with an instance', () => {
    const p = new ProblemException(404, ProblemCode.NotFound, 'Order 1 was not found');
    const body = p.toProblem('/x');
    expect(body).toEqual({
      type: `${PROBLEM_TYPE_BASE}not-found`,
      title: 'Not Found',
      status: 404,
      detail: 'Order 1 was not found',
      code: 'not_found',
      instance: '/x',
    });
    expect(body).not.toHaveProperty('errors');
  });

  it('the type URI ends with the code, underscores turned into dashes', () => {
    const body = new ProblemException(409, ProblemCode.IdempotencyKeyReused, 'reused').toProblem(
      '/x',
    );
    expect(body.type.endsWith('/idempotency-key-reused')).toBe(true);
    expect(body.type).toMatch(/^https:\/\//);
    expect(body.type).not.toContain('_');
    expect(body.code).toBe('idempotency_key_reused');
    expect(body.title).toBe('Conflict');
  });

  it('omits instance when not given', () => {
    const body = new ProblemException(400, ProblemCode.ValidationFailed, 'bad').toProblem();
    expect(body).not.toHaveProperty('instance');
  });

  it('includes errors only when given', () => {
    const errors = [{ field: 'items[0].status', message: 'status must be one of ...' }];
    const body = ProblemException.validation(errors).toProblem('/x');
    expect(body).toEqual({
      type: `${PROBLEM_TYPE_BASE}validation-failed`,
      title: 'Bad Request',
      status: 400,
      detail: 'The request is invalid',
      code: 'validation_failed',
      instance: '/x',
      errors,
    });
  });

  it('uses a custom title when given, and "Error" for unknown statuses', () => {
    expect(
      new ProblemException(400, ProblemCode.ValidationFailed, 'd', { title: 'Custom' }).toProblem()
        .title,
    ).toBe('Custom');
    expect(new ProblemException(418, ProblemCode.Conflict, 'd').toProblem().title).toBe('Error');
  });

  it('maps a mapper result to the expected body', () => {
    const body = mapped({ code: 'ECONNREFUSED' }).toProblem('/orders');
    expect(body.status).toBe(503);
    expect(body.type).toBe(`${PROBLEM_TYPE_BASE}service-unavailable`);
    expect(body.title).toBe('Service Unavailable');
    expect(body.instance).toBe('/orders');
  });
});
