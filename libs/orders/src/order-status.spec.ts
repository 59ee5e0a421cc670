import { describe, expect, it } from 'vitest';
import { ORDER_STATUSES, isOrderStatus, sourcesOf, transition } from './order-status';

describe('order status machine', () => {
  /** The legal moves, written out: every other change of status is invalid. */
  const LEGAL = [
    'pending>paid',
    'pending>cancelled',
    'paid>shipped',
    'paid>cancelled',
    'shipped>delivered',
  ];
  const pairs = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as const));

  it.each(pairs)(
    '%s -> %s: changed if legal, unchanged if the same, invalid otherwise',
    (from, to) => {
      const expected =
        from === to ? 'unchanged' : LEGAL.includes(`${from}>${to}`) ? 'changed' : 'invalid';
      expect(transition(from, to)).toBe(expected);
    },
  );

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
