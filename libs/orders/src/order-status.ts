export const ORDER_STATUSES = ['pending', 'paid', 'cancelled', 'shipped', 'delivered'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The whole status machine: which statuses each status may move to. */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  cancelled: [],
  delivered: [],
};

export type TransitionOutcome = 'changed' | 'unchanged' | 'invalid';

/** Same status is a no-op success; anything outside the machine is invalid. */
export function transition(from: OrderStatus, to: OrderStatus): TransitionOutcome {
  if (from === to) return 'unchanged';
  return ORDER_TRANSITIONS[from].includes(to) ? 'changed' : 'invalid';
}

/** Statuses an order may be in for a move to `to` to change it (used by set-based updates). */
export function sourcesOf(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => ORDER_TRANSITIONS[from].includes(to));
}

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}
