import { describe, expect, it } from 'vitest';
import { ApiKeyStore } from './api-key.store';

const store = (keys: { tenantId: string; key: string }[]) =>
  new ApiKeyStore({
    usingDevKey: false,
    keys,
    adminApiKey: undefined,
    tenantKeyFailuresPerMinute: 10,
    boardActions: false,
  });

describe('ApiKeyStore', () => {
  it('resolves each configured key to its tenant, the first time and from its cache', () => {
    const s = store([
      { tenantId: 'acme', key: 'k-acme' },
      { tenantId: 'globex', key: 'k-globex' },
    ]);
    for (let i = 0; i < 3; i++) {
      expect(s.resolve('k-acme')).toBe('acme');
      expect(s.resolve('k-globex')).toBe('globex');
    }
  });

  it('rejects unknown keys every time (they are never cached) and near misses', () => {
    const s = store([{ tenantId: 'acme', key: 'k-acme' }]);
    expect(s.resolve('k-acme')).toBe('acme');
    for (let i = 0; i < 3; i++) {
      expect(s.resolve('k-acm')).toBeUndefined();
      expect(s.resolve('k-acme ')).toBeUndefined();
      expect(s.resolve('K-ACME')).toBeUndefined();
    }
  });

  it('keeps resolving correctly when more keys are presented than the cache holds', () => {
    const keys = Array.from({ length: 1200 }, (_, i) => ({ tenantId: `t${i}`, key: `key-${i}` }));
    const s = store(keys);
    for (const k of keys) expect(s.resolve(k.key)).toBe(k.tenantId);
    for (const k of keys.slice(0, 50)) expect(s.resolve(k.key)).toBe(k.tenantId);
    expect(s.resolve('key-1200')).toBeUndefined();
  });
});
