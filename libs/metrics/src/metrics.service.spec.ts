import { describe, expect, it } from 'vitest';
import { topTenants } from './metrics.service';

describe('topTenants', () => {
  it('names the busiest tenants and adds up the rest as other', () => {
    const load = Array.from({ length: 5 }, (_, i) => ({
      tenantId: `t${i}`,
      waiting: i * 10,
      running: 1,
    }));
    expect(topTenants(load, 2)).toEqual([
      { tenantId: 't4', waiting: 40, running: 1 },
      { tenantId: 't3', waiting: 30, running: 1 },
      { tenantId: 'other', waiting: 30, running: 3 },
    ]);
    expect(topTenants(load.slice(0, 2), 2).map((t) => t.tenantId)).toEqual(['t1', 't0']);
  });
});
