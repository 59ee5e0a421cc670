import { requestContext, requestIdOf } from '@app/common';
import { CLS_ID } from 'nestjs-cls';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Level } from 'pino';
import { pinoHttp } from 'pino-http';
import type { SonicBoom } from 'sonic-boom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logSettingsFromEnv } from './log-settings';
import { REDACTED } from './redaction';
import { requestLoggingOptions, requestLogLevel, summarizeRequest } from './request-logging';
import { createRootLogger, logDestination } from './root-logger';

function capture(level: Level = 'info', format: 'json' | 'text' = 'json') {
  const lines: string[] = [];
  const logger = createRootLogger({
    level,
    format,
    name: 'api',
    // A stream, as pino-pretty (text) needs one to write to.
    destination: new Writable({
      decodeStrings: false,
      write: (chunk: string | Buffer, _encoding, done) => {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
  return { logger, lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('summarizeRequest', () => {
  it('names the client as Express trusts it (TRUST_PROXY), else the socket peer', () => {
    const socket = { remoteAddress: '10.0.0.5' };
    const behindProxy = { method: 'GET', url: '/orders', ip: '203.0.113.9', socket };
    expect(summarizeRequest(behindProxy as unknown as IncomingMessage).remoteAddress).toBe(
      '203.0.113.9',
    );
    const bare = { method: 'GET', url: '/orders?cursor=abc', socket };
    expect(summarizeRequest(bare as unknown as IncomingMessage)).toEqual({
      method: 'GET',
      url: '/orders?cursor=…',
      remoteAddress: '10.0.0.5',
    });
  });
});

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
    expect(line).not.toHaveProperty('reqId');
  });

  it('honours the level', () => {
    const { logger, json } = capture('warn');
    logger.info('quiet');
    logger.error('loud');
    expect(json().map((l) => l.msg)).toEqual(['loud']);
    expect(json()[0].severity).toBe('ERROR');
  });

  it('renders LOG_FORMAT=text through pino-pretty: one line, context first, extra fields after', async () => {
    const { logger, lines } = capture('info', 'text');
    logger.warn({ context: 'Auth', reqId: 'r1' }, 'development tenant "demo"');
    logger.error({ err: new Error('boom') }, 'failed');
    await new Promise((r) => setImmediate(r));
    // eslint-disable-next-line no-control-regex
    const text = lines.join('').replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).toMatch(
      /^\[\S+Z\] WARN \(api\): \[Auth\] development tenant "demo" \{"reqId":"r1"\}\n/,
    );
    expect(text).toMatch(/\] ERROR \(api\): failed[^\n]*\n[\s\S]*Error: boom\n\s+at /);
  });
});

describe('logDestination', () => {
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'log-dest-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('collects lines and writes them together: nothing is written line by line', async () => {
    const file = join(dir, 'json.log');
    const dest = logDestination('json', file) as SonicBoom;
    await once(dest, 'ready');
    const logger = createRootLogger({ level: 'info', format: 'json', destination: dest });
    logger.info('a');
    logger.info('b');
    expect(readFileSync(file, 'utf8')).toBe(''); // under 4 KiB: held back
    dest.flushSync(); // what pino does on exit
    const written = readFileSync(file, 'utf8').trim().split('\n');
    expect(written.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['a', 'b']);
    for (let i = 0; i < 40; i++) logger.info({ i, pad: 'x'.repeat(80) }, 'filler');
    await once(dest, 'write'); // 4 KiB collected: written without a flush
    expect(readFileSync(file, 'utf8').split('\n').length).toBeGreaterThan(written.length + 1);
    dest.destroy();
  });
});

describe('requestLogLevel', () => {
  const req = (url: string) => ({ url, headers: {} }) as unknown as IncomingMessage;
  const res = (statusCode: number) => ({ statusCode }) as ServerResponse;

  it('logs probes at debug, 503 at warn, other 5xx at error, the rest at info', () => {
    expect(requestLogLevel(req('/health/live'), res(200))).toBe('debug');
    expect(requestLogLevel(req('/health/ready?x=1'), res(503))).toBe('debug');
    expect(requestLogLevel(req('/metrics'), res(200))).toBe('debug');
    expect(requestLogLevel(req('/healthy'), res(200))).toBe('info');
    expect(requestLogLevel(req('/orders'), res(404))).toBe('info');
    expect(requestLogLevel(req('/orders'), res(503))).toBe('warn');
    expect(requestLogLevel(req('/orders'), res(500))).toBe('error');
  });
});

describe('request logging (pino-http)', () => {
  const exchange = (url: string, headers: Record<string, string> = {}) => {
    const res = Object.assign(new EventEmitter(), { statusCode: 200, writableEnded: false });
    const req = { method: 'GET', url, headers, socket: { remoteAddress: '127.0.0.1' } };
    return {
      req: req as unknown as IncomingMessage,
      res: res as unknown as ServerResponse & typeof res,
    };
  };

  /**
   * pino-http with our settings, inside a request context holding the id the request context's
   * middleware would have chosen (it is tested in libs/common), then `handler` as the rest.
   */
  const serve = (
    logger: ReturnType<typeof capture>['logger'],
    { req, res }: ReturnType<typeof exchange>,
    handler: () => void = () => undefined,
  ) => {
    const log = pinoHttp(requestLoggingOptions(logger));
    requestContext().runWith({ [CLS_ID]: requestIdOf(req) }, () => log(req, res, handler));
  };
  const finish = (res: ReturnType<typeof exchange>['res'], statusCode = 200) => {
    Object.assign(res, { statusCode, writableEnded: true });
    res.emit('finish');
    res.emit('close');
  };

  it('writes one completion line with the id; lines logged while handling carry the id', () => {
    const { logger, json } = capture();
    const x = exchange('/orders?limit=5', { 'x-request-id': 'r-1', cookie: 'c' });
    serve(logger, x, () => logger.warn({ context: 'T' }, 'inside'));
    logger.info('outside');
    finish(x.res);
    const [inside, outside, done, ...more] = json();
    expect(more).toEqual([]);
    expect(inside).toMatchObject({ reqId: 'r-1', msg: 'inside' });
    expect(outside.reqId).toBeUndefined();
    expect(done).toMatchObject({
      level: 'info',
      reqId: 'r-1',
      req: { method: 'GET', url: '/orders?limit=…', remoteAddress: '127.0.0.1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
      msg: expect.stringMatching(/^GET \/orders\?limit=… 200 \d+ms$/),
    });
    expect(Object.keys(done.req as object).sort()).toEqual(['method', 'remoteAddress', 'url']);
  });

  it.each(['info', 'debug'] as const)(
    'at %s: the path and the query parameter names, never their values',
    (level) => {
      const { logger, lines, json } = capture(level);
      const secrets = ['hooks.example', 's3cr3t', 'eyJjIjoxfQ', 'cus_4711'];
      const x = exchange(
        '/bulk-jobs?operation=update_orders_status&webhook_url=https%3A%2F%2Fhooks.example%2Fh%3Ftoken%3Ds3cr3t&priority=high',
      );
      serve(logger, x);
      finish(x.res, 202);
      const list = exchange('/orders?cursor=eyJjIjoxfQ.sig&customer_id=cus_4711&amount[gte]=5');
      serve(logger, list);
      finish(list.res);
      const [job, orders] = json();
      expect(job.msg).toMatch(/^GET \/bulk-jobs\?operation=…&webhook_url=…&priority=… 202 \d+ms$/);
      expect((job.req as { url: string }).url).toBe(
        '/bulk-jobs?operation=…&webhook_url=…&priority=…',
      );
      expect((orders.req as { url: string }).url).toBe(
        '/orders?cursor=…&customer_id=…&amount[gte]=…',
      );
      for (const secret of secrets) expect(lines.join('')).not.toContain(secret);
      // The request itself is left alone: routing and handlers still see the values.
      expect(x.req.url).toContain('s3cr3t');
    },
  );

  it('logs a 5xx like any answer, at error (503: warn), without a made-up error', () => {
    const { logger, json } = capture();
    const failed = exchange('/orders');
    serve(logger, failed);
    finish(failed.res, 500);
    const unavailable = exchange('/orders');
    serve(logger, unavailable);
    finish(unavailable.res, 503);
    const [f, u] = json();
    expect(f).toMatchObject({
      level: 'error',
      msg: expect.stringMatching(/^GET \/orders 500 \d+ms$/),
    });
    expect(f).not.toHaveProperty('err');
    expect(u).toMatchObject({ level: 'warn', res: { statusCode: 503 } });
  });

  it('at debug: probes at debug, the headers with credentials redacted, aborted requests', () => {
    const { logger, lines, json } = capture('debug');
    const probe = exchange('/health/live');
    serve(logger, probe);
    finish(probe.res);
    const headers = {
      authorization: 'Bearer key_acme',
      'proxy-authorization': 'Basic cHJveHk=',
      cookie: 'sid=s3cr3t',
      'x-api-key': 'k-123',
      'idempotency-key': 'keep-me',
    };
    const aborted = exchange('/orders', headers);
    serve(logger, aborted);
    aborted.res.emit('close');
    const [p, a] = json();
    expect(p).toMatchObject({
      level: 'debug',
      msg: expect.stringMatching(/^GET \/health\/live 200/),
    });
    expect(a.msg).toMatch(/^GET \/orders 200 \d+ms \(aborted\)$/);
    expect(lines.join('')).not.toMatch(/key_acme|cHJveHk=|s3cr3t|k-123/);
    expect((a.req as { headers: Record<string, string> }).headers).toEqual({
      authorization: REDACTED,
      'proxy-authorization': REDACTED,
      cookie: REDACTED,
      'x-api-key': REDACTED,
      'idempotency-key': 'keep-me',
    });
    expect(headers.authorization).toBe('Bearer key_acme'); // the request itself is left alone
  });

  it('is silent for probes at info', () => {
    const { logger, lines } = capture();
    const probe = exchange('/health/ready');
    serve(logger, probe);
    finish(probe.res);
    expect(lines).toEqual([]);
  });
});
