import type { ApiKeyStore } from '@app/auth';
import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { ADMIN_CHALLENGE, adminOnly, presentedAdminKey } from './admin-auth.middleware';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('presentedAdminKey', () => {
  it('reads Bearer and the Basic password', () => {
    expect(presentedAdminKey('Bearer k-1')).toBe('k-1');
    expect(presentedAdminKey('bearer   k-1 ')).toBe('k-1');
    expect(presentedAdminKey(basic('admin', 'k:with:colons'))).toBe('k:with:colons');
    expect(presentedAdminKey(basic('', 'k-1'))).toBe('k-1');
  });

  it('finds nothing in other headers', () => {
    expect(presentedAdminKey(undefined)).toBeUndefined();
    expect(presentedAdminKey('')).toBeUndefined();
    expect(presentedAdminKey('Bearer')).toBeUndefined();
    expect(presentedAdminKey(basic('k-1', ''))).toBeUndefined();
    expect(presentedAdminKey('Basic !!!')).toBeUndefined();
    expect(presentedAdminKey('Token k-1')).toBeUndefined();
  });
});

describe('adminOnly', () => {
  const keys = { isAdmin: (k: string) => k === 'adm' } as unknown as ApiKeyStore;
  const call = (enabled: boolean, authorization?: string) => {
    const headers: Record<string, string> = {};
    let status = 0;
    let body = '';
    const res = {
      headersSent: false,
      setHeader: (n: string, v: string) => void (headers[n.toLowerCase()] = v),
      status(s: number) {
        status = s;
        return this;
      },
      end(b: string) {
        body = b;
      },
    } as unknown as Response;
    const req = {
      method: 'GET',
      originalUrl: '/admin/queues',
      url: '/admin/queues',
      headers: authorization ? { authorization } : {},
    } as unknown as Request;
    const next = vi.fn() as unknown as NextFunction;
    adminOnly(keys, enabled)(req, res, next);
    return {
      next,
      status,
      headers,
      body: body ? (JSON.parse(body) as { code: string }) : undefined,
    };
  };

  it('answers 404 while ADMIN_API_KEY is not configured, whatever is sent', () => {
    const r = call(false, 'Bearer adm');
    expect(r.status).toBe(404);
    expect(r.body?.code).toBe('not_found');
    expect(r.next).not.toHaveBeenCalled();
  });

  it('answers 401 with both challenges without the operator key', () => {
    for (const auth of [undefined, 'Bearer wrong', basic('admin', 'wrong'), 'Bearer ad']) {
      const r = call(true, auth);
      expect(r.status).toBe(401);
      expect(r.body?.code).toBe('unauthorized');
      expect(r.headers['www-authenticate']).toBe(ADMIN_CHALLENGE);
      expect(r.next).not.toHaveBeenCalled();
    }
  });

  it('lets the operator key through, as Bearer or Basic password', () => {
    expect(call(true, 'Bearer adm').next).toHaveBeenCalledOnce();
    expect(call(true, basic('anyone', 'adm')).next).toHaveBeenCalledOnce();
  });
});
