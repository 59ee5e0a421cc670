import { describe, expect, it } from 'vitest';
import { loggableUrl } from './loggable-url';

describe('loggableUrl', () => {
  it('keeps the path and the parameter names, not their values', () => {
    expect(
      loggableUrl(
        '/bulk-jobs?operation=update_orders_status&webhook_url=https%3A%2F%2Fhooks.example%2Fx%3Ftoken%3Ds3cr3t',
      ),
    ).toBe('/bulk-jobs?operation=…&webhook_url=…');
    expect(loggableUrl('/orders?limit=5&cursor=eyJrIjoiMTIzIn0.sig&amount[gte]=100')).toBe(
      '/orders?limit=…&cursor=…&amount[gte]=…',
    );
  });

  it('leaves a URL without a query alone', () => {
    expect(loggableUrl('/orders/ord_123')).toBe('/orders/ord_123');
    expect(loggableUrl('/')).toBe('/');
  });

  it('replaces empty values and values holding = too; names without = and empty parts stay', () => {
    expect(loggableUrl('/orders?status=&customer_id=a=b=c')).toBe('/orders?status=…&customer_id=…');
    expect(loggableUrl('/orders?flag&&x=1')).toBe('/orders?flag&&x=…');
    expect(loggableUrl('/orders?')).toBe('/orders?');
  });

  it('hides a value with a # or a second ? in it', () => {
    expect(loggableUrl('/orders?cursor=a?b#frag&limit=2')).toBe('/orders?cursor=…&limit=…');
  });
});
