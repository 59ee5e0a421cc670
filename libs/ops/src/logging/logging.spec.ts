import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { batchedDestination } from './batched-destination';
import { logSettingsFromEnv } from './log-settings';
import { redactSecrets, REDACTED } from './redaction';
import {
  createRequestLogger,
  requestIdFor,
  requestLogLevel,
  serializeRequest,
} from './request-logging';
import { createRootLogger } from './root-logger';
import { formatTextLine } from './text-format';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function capture(level = 'info', format: 'json' | 'text' = 'json') {
  const lines: string[] = [];
  const logger = createRootLogger({
    level: level as 'info',
    format,
    name: 'api',
    destination: { write: (s: string) => void lines.push(s) },
  });
  return { logger, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logSettingsFromEnv', () => {
  it('maps Nest levels to pino levels', () => {
    const level = (LOG_LEVEL: string) => logSettingsFromEnv({ LOG_LEVEL }).level;
    expect(level('log')).toBe('info');
    expect(level('verbose')).toBe('trace');
    for (const same of ['fatal', 'error', 'warn', 'debug']) expect(level(same)).toBe(same);
    expect(logSettingsFromEnv({}).level).toBe('info');
  });

  it('writes JSON outside development, text in development, LOG_FORMAT wins', () => {
    expect(logSettingsFromEnv({ NODE_ENV: 'production' }).format).toBe('json');
    expect(logSettingsFromEnv({ NODE_ENV: 'test' }).format).toBe('json');
    expect(logSettingsFromEnv({}).format).toBe('text');
    expect(logSettingsFromEnv({ LOG_FORMAT: 'json' }).format).toBe('json');
    expect(logSettingsFromEnv({ NODE_ENV: 'production', LOG_FORMAT: 'text' }).format).toBe('text');
  });

  it('keeps the valid settings when another variable is invalid (to log the config error)', () => {
    const s = logSettingsFromEnv({ PORT: 'abc', NODE_ENV: 'production', LOG_LEVEL: 'warn' });
    expect(s).toEqual({ level: 'warn', format: 'json' });
    expect(logSettingsFromEnv({ LOG_LEVEL: 'loud', NODE_ENV: 'test' })).toEqual({
      level: 'info',
      format: 'json',
    });
  });
});

describe('redactSecrets', () => {
  it('redacts *secret*, *password*, api keys, Authorization and Cookie at any depth', () => {
    const input = {
      user: 'ann',
      password: 'p',
      nested: { webhookSecret: 's', list: [{ db_password: 'x', ok: 1 }], 'X-Api-Key': 'k' },
      headers: { authorization: 'Bearer k', cookie: 'c', 'idempotency-key': 'keep-me' },
    };
    expect(redactSecrets(input)).toEqual({
      user: 'ann',
      password: REDACTED,
      nested: {
        webhookSecret: REDACTED,
        list: [{ db_password: REDACTED, ok: 1 }],
        'X-Api-Key': REDACTED,
      },
      headers: { authorization: REDACTED, cookie: REDACTED, 'idempotency-key': 'keep-me' },
    });
    expect(input.password).toBe('p');
  });

  it('returns the same object when nothing is sensitive and leaves class instances alone', () => {
    const plain = { a: 1, b: { c: [1, 2] } };
    expect(redactSecrets(plain)).toBe(plain);
    const err = Object.assign(new Error('x'), { password: 'p' });
    expect(redactSecrets(err)).toBe(err);
  });
});

describe('root logger', () => {
  it('writes one JSON object per line with level names, severity, name and ISO time', () => {
    const { logger, json } = capture();
    logger.info({ context: 'Test' }, 'hello "world"');
    const [line] = json();
    expect(line).toMatchObject({
      level: 'info',
      severity: 'INFO',
      name: 'api',
      context: 'Test',
      msg: 'hello "world"',
    });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('redacts secrets in logged objects', () => {
    const { logger, lines } = capture();
    logger.warn({ config: { CURSOR_SECRET: 'cursor-s3cret', ADMIN_API_KEY: 'adm' } }, 'boot');
    expect(lines[0]).not.toContain('cursor-s3cret');
    expect(lines[0]).not.toContain('"adm"');
    expect(lines[0]).toContain(REDACTED);
  });

  it('honours the level', () => {
    const { logger, json } = capture('warn');
    logger.info('quiet');
    logger.error('loud');
    expect(json().map((l) => l.msg)).toEqual(['loud']);
    expect(json()[0].severity).toBe('ERROR');
  });

  it('renders text lines in text format', () => {
    const { logger, lines } = capture('info', 'text');
    logger.warn({ context: 'Auth', reqId: 'r1' }, 'development tenant "demo"');
    expect(lines[0]).toMatch(/^\S+Z WARN {2}\[Auth\] development tenant "demo" reqId=r1\n$/);
  });
});

describe('formatTextLine', () => {
  it('appends the error stack and passes non-JSON through', () => {
    const out = formatTextLine(
      JSON.stringify({
        time: 't',
        level: 'error',
        msg: 'boom',
        err: { stack: 'Error: boom\n    at x' },
      }),
    );
    expect(out).toBe('t ERROR boom\nError: boom\n    at x\n');
    expect(formatTextLine('plain\n')).toBe('plain\n');
  });
});

describe('request logging', () => {
  const res = () => {
    const headers: Record<string, string> = {};
    return {
      headers,
      statusCode: 200,
      setHeader: (n: string, v: string) => void (headers[n] = v),
    } as unknown as ServerResponse & { headers: Record<string, string> };
  };
  const req = (headers: Record<string, string>, url = '/orders') =>
    ({ headers, url }) as unknown as IncomingMessage;

  it('takes a safe X-Request-Id and echoes it', () => {
    const r = res();
    expect(requestIdFor(req({ 'x-request-id': 'lb-1234.abc_Z:9' }), r)).toBe('lb-1234.abc_Z:9');
    expect((r as unknown as { headers: Record<string, string> }).headers['X-Request-Id']).toBe(
      'lb-1234.abc_Z:9',
    );
  });

  it.each([[''], ['has space'], ['x'.repeat(129)], ['quote"'], ['new\nline'], ['ünïcode']])(
    'replaces an unsafe X-Request-Id %j with a UUID',
    (given) => {
      const r = res();
      const id = requestIdFor(req({ 'x-request-id': given }), r);
      expect(id).toMatch(UUID);
    },
  );

  it('generates a UUID without the header, and accepts 128 characters', () => {
    expect(requestIdFor(req({}), res())).toMatch(UUID);
    const long = 'a'.repeat(128);
    expect(requestIdFor(req({ 'x-request-id': long }), res())).toBe(long);
  });

  it('logs probes at debug, 503 at warn, other 5xx at error, the rest at info', () => {
    const r = res();
    expect(requestLogLevel(req({}, '/health/live'), r)).toBe('debug');
    expect(requestLogLevel(req({}, '/health/ready?x=1'), r)).toBe('debug');
    expect(requestLogLevel(req({}, '/metrics'), r)).toBe('debug');
    expect(requestLogLevel(req({}, '/healthy'), r)).toBe('info');
    expect(requestLogLevel(req({}, '/orders'), Object.assign(r, { statusCode: 404 }))).toBe('info');
    expect(requestLogLevel(req({}, '/orders'), Object.assign(r, { statusCode: 503 }))).toBe('warn');
    expect(requestLogLevel(req({}, '/orders'), Object.assign(r, { statusCode: 500 }))).toBe(
      'error',
    );
  });

  it('serializes requests without credentials but with the Idempotency-Key', () => {
    const out = serializeRequest({
      method: 'POST',
      url: '/orders',
      headers: { authorization: 'Bearer key_acme', cookie: 'sid=1', 'idempotency-key': 'k-1' },
      remoteAddress: '127.0.0.1',
    });
    expect(out.headers).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      'idempotency-key': 'k-1',
    });
  });
});

describe('batchedDestination', () => {
  it('writes the lines of one event-loop turn in one write, in order', async () => {
    const writes: string[] = [];
    const dest = batchedDestination({ write: (s: string) => void writes.push(s) });
    dest.write('a\n');
    dest.write('b\n');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['a\nb\n']);
    dest.write('c\n');
    dest.flush();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2);
  });
});

describe('createRequestLogger', () => {
  const exchange = (url: string, headers: Record<string, string> = {}) => {
    const sent: Record<string, string> = {};
    const res = Object.assign(new EventEmitter(), {
      statusCode: 200,
      writableEnded: false,
      headers: sent,
      setHeader: (n: string, v: string) => void (sent[n] = v),
    });
    const req = { method: 'GET', url, headers, socket: { remoteAddress: '127.0.0.1' } };
    return {
      req: req as unknown as IncomingMessage,
      res: res as unknown as ServerResponse & typeof res,
    };
  };

  it('writes one completion line with the id, and lines logged meanwhile carry the id', () => {
    const { logger, json } = capture();
    const { req, res } = exchange('/orders?limit=5', { 'x-request-id': 'r-1', cookie: 'c' });
    createRequestLogger(logger)(req, res, () => logger.warn({ context: 'T' }, 'inside'));
    logger.info('outside');
    Object.assign(res, { writableEnded: true });
    res.emit('finish');
    res.emit('close');
    const [inside, outside, done, ...more] = json();
    expect(more).toEqual([]);
    expect(inside).toMatchObject({ reqId: 'r-1', msg: 'inside' });
    expect(outside.reqId).toBeUndefined();
    expect(done).toMatchObject({
      level: 'info',
      reqId: 'r-1',
      req: { method: 'GET', url: '/orders?limit=5', remoteAddress: '127.0.0.1' },
      res: { statusCode: 200 },
      msg: expect.stringMatching(/^GET \/orders\?limit=5 200 \d+ms$/),
    });
    expect(done.req).not.toHaveProperty('headers');
    expect(res.headers['X-Request-Id']).toBe('r-1');
  });

  it('logs the redacted headers at debug, probes at debug only, aborted requests as such', () => {
    const { logger, json } = capture('debug');
    const probe = exchange('/health/live');
    createRequestLogger(logger)(probe.req, probe.res, () => undefined);
    probe.res.emit('finish');
    const aborted = exchange('/orders', { authorization: 'Bearer k' });
    createRequestLogger(logger)(aborted.req, aborted.res, () => undefined);
    aborted.res.emit('close');
    const [p, a] = json();
    expect(p).toMatchObject({
      level: 'debug',
      msg: expect.stringMatching(/^GET \/health\/live 200/),
    });
    expect(a.msg).toMatch(/^GET \/orders 200 \d+ms \(aborted\)$/);
    expect((a.req as { headers: Record<string, string> }).headers.authorization).toBe(REDACTED);
  });

  it('is silent for probes at info', () => {
    const { logger, lines } = capture();
    const probe = exchange('/health/ready');
    createRequestLogger(logger)(probe.req, probe.res, () => undefined);
    probe.res.emit('finish');
    expect(lines).toEqual([]);
  });
});
