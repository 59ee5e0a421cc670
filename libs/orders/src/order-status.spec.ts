import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, isOrderStatus, sourcesOf, transition } from './order-status';

describe('order status machine', () => {
  it('same status is a no-op for every status', () => {
    for (const s of ORDER_STATUSES) expect(transition(s, s)).toBe('unchanged');
  });

  it.each([
    ['pending', 'paid', 'changed'],
    ['pending', 'cancelled', 'changed'],
    ['paid', 'shipped', 'changed'],
    ['paid', 'cancelled', 'changed'],
    ['shipped', 'delivered', 'changed'],
    ['pending', 'shipped', 'invalid'],
    ['pending', 'delivered', 'invalid'],
    ['paid', 'pending', 'invalid'],
    ['shipped', 'cancelled', 'invalid'],
    ['shipped', 'paid', 'invalid'],
    ['delivered', 'pending', 'invalid'],
    ['cancelled', 'paid', 'invalid'],
  ] as const)('%s -> %s is %s', (from, to, outcome) => {
    expect(transition(from, to)).toBe(outcome);
  });

  it('counts exactly five legal moves', () => {
    const legal = ORDER_STATUSES.flatMap((f) =>
      ORDER_STATUSES.filter((t) => transition(f, t) === 'changed'),
    );
    expect(legal).toHaveLength(5);
  });

  it('sourcesOf inverts the machine', () => {
    expect(sourcesOf('cancelled').sort()).toEqual(['paid', 'pending']);
    expect(sourcesOf('delivered')).toEqual(['shipped']);
    expect(sourcesOf('pending')).toEqual([]);
  });

  it('recognises statuses', () => {
    expect(isOrderStatus('paid')).toBe(true);
    expect(isOrderStatus('PAID')).toBe(false);
    expect(isOrderStatus(3)).toBe(false);
  });
});
