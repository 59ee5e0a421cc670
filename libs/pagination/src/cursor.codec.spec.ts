import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bindingHash, CURSOR_VERSION, CursorCodec, InvalidCursorError } from './cursor.codec';

const SECRET = 'test-secret';
const BINDING = bindingHash({ tenant: 'acme', route: 'GET /orders', dir: 'desc' });
const KEY = ['2026-01-13 15:15:00.123456+00', '0b7c1e9a-1234-4cde-8f00-000000000001'];

/** Signs an arbitrary JSON payload exactly like the codec does, to forge "valid" but wrong cursors. */
function forge(payload: unknown, secret = SECRET): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const sig = createHmac('sha256', secret).update(body).digest('base64url');
  return `${body}.${sig}`;
}

function decodeBody(token: string): unknown {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/** Replaces the char at `i` with a different base64url char that also differs in its high bits. */
function flipChar(s: string, i: number): string {
  const c = s[i];
  const replacement = c === 'A' ? 'g' : 'A'; // 'A' = 000000, 'g' = 100000: differ in the most significant bit
  return s.slice(0, i) + replacement + s.slice(i + 1);
}

function expectInvalid(fn: () => unknown, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(InvalidCursorError);
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe('CursorCodec', () => {
  const codec = new CursorCodec(SECRET);

  describe('encode / decode', () => {
    it('round-trips the key values', () => {
      const token = codec.encode(KEY, BINDING);
      expect(codec.decode(token, BINDING, 2)).toEqual(KEY);
    });

    it('round-trips a single-column key', () => {
      const token = codec.encode(['42'], BINDING);
      expect(codec.decode(token, BINDING, 1)).toEqual(['42']);
    });

    it('produces an opaque base64url `body.sig` token', () => {
      const token = codec.encode(KEY, BINDING);
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const [body, sig] = token.split('.');
      // HMAC-SHA256 is 32 bytes -> 43 unpadded base64url characters.
      expect(sig).toHaveLength(43);
      expect(Buffer.from(sig, 'base64url')).toHaveLength(32);
      // No raw key value leaks into the token as plain text.
      expect(token).not.toContain('2026-01-13');
      expect(decodeBody(token)).toEqual({ v: CURSOR_VERSION, k: KEY, b: BINDING });
      expect(body).not.toContain('=');
    });

    it('is deterministic for the same key, binding and secret', () => {
      expect(codec.encode(KEY, BINDING)).toBe(codec.encode(KEY, BINDING));
    });

    it('keeps a microsecond timestamp byte-for-byte', () => {
      const key = ['2026-01-13 15:15:00.123456+00'];
      const decoded = codec.decode(codec.encode(key, BINDING), BINDING, 1);
      expect(decoded[0]).toBe('2026-01-13 15:15:00.123456+00');
      expect(Buffer.from(decoded[0])).toEqual(Buffer.from(key[0]));
    });

    it('keeps unicode, quotes, dots and separators intact', () => {
      const key = ['naïve "quoted" ☃ a.b,c', 'x'.repeat(500)];
      expect(codec.decode(codec.encode(key, BINDING), BINDING, 2)).toEqual(key);
    });
  });

  describe('constructor', () => {
    it('requires at least one non-empty secret', () => {
      expect(() => new CursorCodec('')).toThrow(/at least one secret/);
      expect(() => new CursorCodec(' , ,')).toThrow(/at least one secret/);
      expect(() => new CursorCodec([])).toThrow(/at least one secret/);
    });

    it('trims secrets from a comma-separated list', () => {
      const token = new CursorCodec(SECRET).encode(KEY, BINDING);
      expect(new CursorCodec(` ${SECRET} , other `).decode(token, BINDING, 2)).toEqual(KEY);
    });
  });

  describe('secret rotation', () => {
    const oldCodec = new CursorCodec('old');
    const rotated = new CursorCodec('new,old');
    const newOnly = new CursorCodec('new');

    it('verifies a cursor signed with a previous secret', () => {
      const token = oldCodec.encode(KEY, BINDING);
      expect(rotated.decode(token, BINDING, 2)).toEqual(KEY);
    });

    it('signs with the first secret', () => {
      const token = rotated.encode(KEY, BINDING);
      expect(token).toBe(newOnly.encode(KEY, BINDING));
      expect(newOnly.decode(token, BINDING, 2)).toEqual(KEY);
      expectInvalid(() => oldCodec.decode(token, BINDING, 2), /signature/);
    });

    it('accepts an array of secrets the same way', () => {
      const codecs = new CursorCodec(['new', 'old']);
      expect(codecs.decode(oldCodec.encode(KEY, BINDING), BINDING, 2)).toEqual(KEY);
      expect(codecs.encode(KEY, BINDING)).toBe(newOnly.encode(KEY, BINDING));
    });

    it('stops accepting a secret once it is removed', () => {
      const token = oldCodec.encode(KEY, BINDING);
      expectInvalid(() => newOnly.decode(token, BINDING, 2), /signature/);
    });
  });

  describe('rejects invalid cursors with InvalidCursorError', () => {
    const token = codec.encode(KEY, BINDING);
    const [body, sig] = token.split('.');

    it('a body with a flipped character', () => {
      for (const i of [0, 5, Math.floor(body.length / 2), body.length - 2]) {
        const tampered = `${flipChar(body, i)}.${sig}`;
        expect(tampered).not.toBe(token);
        expectInvalid(() => codec.decode(tampered, BINDING, 2), /signature/);
      }
    });

    it('a re-encoded payload with a changed key but the original signature', () => {
      const changed = Buffer.from(
        JSON.stringify({ v: CURSOR_VERSION, k: ['2099-01-01 00:00:00+00', KEY[1]], b: BINDING }),
      ).toString('base64url');
      expectInvalid(() => codec.decode(`${changed}.${sig}`, BINDING, 2), /signature/);
    });

    it('a re-encoded payload with a changed binding but the original signature', () => {
      const other = bindingHash({ tenant: 'globex' });
      const changed = Buffer.from(JSON.stringify({ v: CURSOR_VERSION, k: KEY, b: other })).toString(
        'base64url',
      );
      expectInvalid(() => codec.decode(`${changed}.${sig}`, other, 2), /signature/);
    });

    it('a signature with a flipped character', () => {
      for (const i of [0, 10, 21, 41]) {
        const tampered = `${body}.${flipChar(sig, i)}`;
        expect(tampered).not.toBe(token);
        expectInvalid(() => codec.decode(tampered, BINDING, 2), /signature/);
      }
    });

    it('the signature of another cursor', () => {
      const otherSig = codec.encode(['other'], BINDING).split('.')[1];
      expectInvalid(() => codec.decode(`${body}.${otherSig}`, BINDING, 2), /signature/);
    });

    it('a token truncated at several points', () => {
      const cuts = [
        1,
        10,
        body.length - 1,
        body.length,
        body.length + 1,
        body.length + 10,
        token.length - 2,
        token.length - 1,
      ];
      for (const cut of cuts) {
        const truncated = token.slice(0, cut);
        expect(truncated.length).toBeLessThan(token.length);
        expectInvalid(() => codec.decode(truncated, BINDING, 2));
      }
    });

    it('a token without a dot', () => {
      expectInvalid(() => codec.decode(body + sig, BINDING, 2), /malformed/);
      expectInvalid(() => codec.decode(body, BINDING, 2), /malformed/);
    });

    it('a token with extra dots', () => {
      expectInvalid(() => codec.decode(`${body}.${sig}.`, BINDING, 2), /malformed/);
      expectInvalid(() => codec.decode(`${body}.${sig}.${sig}`, BINDING, 2), /malformed/);
      expectInvalid(() => codec.decode(`.${body}.${sig}`, BINDING, 2), /malformed/);
      expectInvalid(() => codec.decode(`${body}..${sig}`, BINDING, 2), /malformed/);
    });

    it('a token with an empty half', () => {
      expectInvalid(() => codec.decode(`${body}.`, BINDING, 2), /malformed/);
      expectInvalid(() => codec.decode(`.${sig}`, BINDING, 2), /malformed/);
      expectInvalid(() => codec.decode('.', BINDING, 2), /malformed/);
    });

    it('an empty string', () => {
      expectInvalid(() => codec.decode('', BINDING, 2), /malformed/);
    });

    it.each([
      'garbage',
      'not.a-cursor',
      '%%%.$$$',
      'eyJ2IjoxfQ.c2ln',
      '{"v":1,"k":["a"],"b":"x"}',
      '   .   ',
      '🙂.🙂',
    ])('garbage %j', (garbage) => {
      expectInvalid(() => codec.decode(garbage, BINDING, 1));
    });

    it('a cursor signed with another secret', () => {
      const foreign = new CursorCodec('another-secret').encode(KEY, BINDING);
      expectInvalid(() => codec.decode(foreign, BINDING, 2), /signature/);
      expectInvalid(
        () => codec.decode(forge({ v: CURSOR_VERSION, k: KEY, b: BINDING }, 'wrong'), BINDING, 2),
        /signature/,
      );
    });

    it('a cursor issued for another binding', () => {
      const otherBinding = bindingHash({ tenant: 'globex', route: 'GET /orders', dir: 'desc' });
      expect(otherBinding).not.toBe(BINDING);
      expectInvalid(() => codec.decode(token, otherBinding, 2), /another list/);
    });

    it('a cursor whose key length does not match the sort key', () => {
      expectInvalid(() => codec.decode(token, BINDING, 1), /does not fit/);
      expectInvalid(() => codec.decode(token, BINDING, 3), /does not fit/);
      expectInvalid(() => codec.decode(codec.encode([], BINDING), BINDING, 1), /does not fit/);
    });

    it('a correctly signed cursor of another version', () => {
      const v2 = forge({ v: 2, k: KEY, b: BINDING });
      expectInvalid(() => codec.decode(v2, BINDING, 2), /version 2 is not supported/);
      expectInvalid(
        () => codec.decode(forge({ v: '1', k: KEY, b: BINDING }), BINDING, 2),
        /version/,
      );
      expectInvalid(() => codec.decode(forge({ k: KEY, b: BINDING }), BINDING, 2), /version/);
      expectInvalid(() => codec.decode(forge({ v: 0, k: KEY, b: BINDING }), BINDING, 2), /version/);
    });

    it.each([
      ['numbers', [1, 2]],
      ['null', [null, 'a']],
      ['a nested array', [['a'], 'b']],
      ['an object', [{ a: 1 }, 'b']],
      ['a boolean', ['a', true]],
    ])('a correctly signed cursor whose key values are %s', (_label, k) => {
      expectInvalid(
        () => codec.decode(forge({ v: CURSOR_VERSION, k, b: BINDING }), BINDING, 2),
        /does not fit/,
      );
    });

    it('a correctly signed cursor whose key is not an array', () => {
      expectInvalid(
        () => codec.decode(forge({ v: CURSOR_VERSION, k: 'ab', b: BINDING }), BINDING, 2),
        /does not fit/,
      );
      expectInvalid(() =>
        codec.decode(
          forge({ v: CURSOR_VERSION, k: { 0: 'a', 1: 'b', length: 2 }, b: BINDING }),
          BINDING,
          2,
        ),
      );
      expectInvalid(
        () => codec.decode(forge({ v: CURSOR_VERSION, b: BINDING }), BINDING, 2),
        /does not fit/,
      );
    });

    it('a correctly signed body that is not JSON', () => {
      const body = Buffer.from('not json').toString('base64url');
      const sig = createHmac('sha256', SECRET).update(body).digest('base64url');
      expectInvalid(() => codec.decode(`${body}.${sig}`, BINDING, 2), /malformed/);
    });

    it('a correctly signed JSON null body', () => {
      expectInvalid(() => codec.decode(forge(null), BINDING, 2));
    });

    const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // Each variant decodes to the same 32 bytes under Node's lenient base64url decoder, but is not
    // the token the server issued: a tamper-evident cursor must reject it.
    it.each([
      ['a trailing "=" padding', (s: string) => `${s}=`],
      ['a stray non-base64 character', (s: string) => `${s.slice(0, 20)}!${s.slice(20)}`],
      [
        'a changed last character (unused low bits only)',
        (s: string) => `${s.slice(0, -1)}${B64URL[B64URL.indexOf(s[s.length - 1]) ^ 1]}`,
      ],
    ])('a signature re-encoded with %s', (_label, mutate) => {
      const variant = mutate(sig);
      expect(variant).not.toBe(sig);
      expect(Buffer.from(variant, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
      expectInvalid(() => codec.decode(`${body}.${variant}`, BINDING, 2));
    });
  });
});

describe('bindingHash', () => {
  it('is a short base64url digest', () => {
    expect(bindingHash({ tenant: 'acme' })).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('is stable across calls', () => {
    expect(bindingHash({ tenant: 'acme', route: 'GET /orders' })).toBe(
      bindingHash({ tenant: 'acme', route: 'GET /orders' }),
    );
  });

  it('does not depend on object key order', () => {
    const a = bindingHash({
      tenant: 'acme',
      route: 'GET /orders',
      'filter:status': 'paid',
      dir: 'desc',
    });
    const b = bindingHash({
      dir: 'desc',
      'filter:status': 'paid',
      route: 'GET /orders',
      tenant: 'acme',
    });
    const c = bindingHash({
      route: 'GET /orders',
      dir: 'desc',
      tenant: 'acme',
      'filter:status': 'paid',
    });
    expect(a).toBe(b);
    expect(a).toBe(c);
  });

  it('differs when any value differs', () => {
    const base = { tenant: 'acme', route: 'GET /orders', dir: 'desc', 'filter:status': 'paid' };
    const h = bindingHash(base);
    for (const key of Object.keys(base)) {
      expect(bindingHash({ ...base, [key]: 'changed' })).not.toBe(h);
    }
    expect(bindingHash({ ...base, dir: 'asc' })).not.toBe(h);
    expect(bindingHash({ ...base, tenant: 'ACME' })).not.toBe(h);
  });

  it('differs when a key is renamed but the value is the same', () => {
    expect(bindingHash({ 'filter:status': 'paid' })).not.toBe(
      bindingHash({ 'filter:state': 'paid' }),
    );
  });

  it('distinguishes null, a missing key, the string "null", an empty string and arrays', () => {
    const hashes = [
      bindingHash({ tenant: 'acme', 'filter:status': null }),
      bindingHash({ tenant: 'acme' }),
      bindingHash({ tenant: 'acme', 'filter:status': 'null' }),
      bindingHash({ tenant: 'acme', 'filter:status': '' }),
      bindingHash({ tenant: 'acme', 'filter:status': ['paid'] }),
      bindingHash({ tenant: 'acme', 'filter:status': ['paid', 'shipped'] }),
      bindingHash({ tenant: 'acme', 'filter:status': 'paid,shipped' }),
      bindingHash({ tenant: 'acme', 'filter:status': 'paid' }),
      bindingHash({ tenant: 'acme', 'filter:status': [] }),
      bindingHash({ tenant: 'acme', 'filter:status': [null] }),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('distinguishes numbers from their string form', () => {
    expect(bindingHash({ 'param:id': 1 })).not.toBe(bindingHash({ 'param:id': '1' }));
  });

  it('treats an undefined value like null (both mean "not given")', () => {
    expect(bindingHash({ tenant: 'acme', 'filter:status': undefined })).toBe(
      bindingHash({ tenant: 'acme', 'filter:status': null }),
    );
  });

  it('does not let values forge a key boundary', () => {
    expect(bindingHash({ a: 'b', c: 'd' })).not.toBe(bindingHash({ a: 'b","c","d' }));
    expect(bindingHash({ 'a,b': 'c' })).not.toBe(bindingHash({ a: 'b,c' }));
  });
});
