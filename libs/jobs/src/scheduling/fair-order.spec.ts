import { describe, expect, it } from 'vitest';
import type { JobPriority } from '../domain/jobs.constants';
import type { SchedulableJob } from './tenant-slots.repository';
import { fairOrder, jobKey, type Rotation } from './fair-order';

let clock = Date.parse('2026-12-02T08:00:00Z');
const job = (
  id: string,
  tenantId: string,
  over: { priority?: JobPriority; running?: number } = {},
): SchedulableJob => ({
  id,
  tenantId,
  priority: over.priority ?? 'normal',
  createdAt: new Date((clock += 1000)),
  tenantRunning: over.running ?? 0,
});

const fresh: Rotation = { lastTenant: null, lastJobOf: () => null };
const flat = (turns: ReturnType<typeof fairOrder>) =>
  turns.flatMap((t) => t.jobs.map((j) => `${t.tenantId}/${j.id}`));

describe('fairOrder', () => {
  it('offers tenants with fewer chunks running first, whatever was submitted first', () => {
    const jobs = [job('big', 'a', { running: 2 }), job('small', 'b')];
    expect(flat(fairOrder(jobs, fresh, 4))).toEqual(['b/small', 'a/big']);
  });

  it('takes turns between tenants with as many chunks running, after the one served last', () => {
    const jobs = [job('1', 'a'), job('2', 'b'), job('3', 'c')];
    const after = (lastTenant: string) =>
      fairOrder(jobs, { lastTenant, lastJobOf: () => null }, 4).map((t) => t.tenantId);
    expect(after('a')).toEqual(['b', 'c', 'a']);
    expect(after('b')).toEqual(['c', 'a', 'b']);
    expect(after('c')).toEqual(['a', 'b', 'c']);
  });

  it('orders a tenant by priority first, and takes turns between its jobs of one priority', () => {
    const low = job('low', 'a', { priority: 'low' });
    const n1 = job('n1', 'a');
    const n2 = job('n2', 'a');
    const high = job('high', 'a', { priority: 'high' });
    const order = (last: SchedulableJob | null) =>
      flat(
        fairOrder(
          [low, n1, n2, high],
          { lastTenant: null, lastJobOf: () => (last ? jobKey(last) : null) },
          4,
        ),
      );
    expect(order(null)).toEqual(['a/high', 'a/n1', 'a/n2', 'a/low']);
    expect(order(n1)).toEqual(['a/high', 'a/n2', 'a/n1', 'a/low']);
    expect(order(n2)).toEqual(['a/high', 'a/n1', 'a/n2', 'a/low']);
  });

  it('never lets one tenant priority reorder another tenant', () => {
    const jobs = [
      job('urgent', 'a', { priority: 'high', running: 1 }),
      job('lazy', 'b', { priority: 'low' }),
    ];
    expect(flat(fairOrder(jobs, fresh, 4))).toEqual(['b/lazy', 'a/urgent']);
  });

  it('marks tenants at TENANT_MAX_CONCURRENT_CHUNKS', () => {
    const turns = fairOrder(
      [job('x', 'a', { running: 2 }), job('y', 'b', { running: 1 })],
      fresh,
      2,
    );
    expect(turns.map((t) => [t.tenantId, t.atLimit])).toEqual([
      ['b', false],
      ['a', true],
    ]);
  });
});
