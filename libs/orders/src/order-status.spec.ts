import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, isOrderStatus, sourcesOf, transition } from './order-status';

describe('order status machine', () => {
  it.each([
    ['pending', 'paid'],
    ['pending', 'cancelled'],
    ['paid', 'shipped'],
    ['paid', 'cancelled'],
    ['shipped', 'delivered'],
  ] as const)('%s -> %s changes', (from, to) => {
    expect(transition(from, to)).toBe('changed');
  });

  it('same status is a no-op for every status', () => {
    for (const s of ORDER_STATUSES) expect(transition(s, s)).toBe('unchanged');
  });

  it.each([
    ['pending', 'shipped'],
    ['pending', 'delivered'],
    ['paid', 'pending'],
    ['shipped', 'cancelled'],
    ['shipped', 'paid'],
    ['delivered', 'pending'],
    ['cancelled', 'paid'],
  ] as const)('%s -> %s is invalid', (from, to) => {
    expect(transition(from, to)).toBe('invalid');
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
