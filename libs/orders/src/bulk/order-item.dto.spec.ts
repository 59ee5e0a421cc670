import 'reflect-metadata';
import { compileFastCheck } from '@app/jobs';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { CreateOrderItemDto, UpdateOrderStatusItemDto } from './order-item.dto';

/** class-validator's verdict with the options the worker uses. */
const classValidatorAccepts = (dto: new () => object, item: object) =>
  validateSync(plainToInstance(dto, item), {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  }).length === 0;

/** A small seeded PRNG, so a failure names the item that caused it and reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const VALUES: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'x',
  'ord_123',
  'a'.repeat(255),
  'a'.repeat(256),
  '😀'.repeat(128),
  '😀'.repeat(200),
  'EUR',
  'eur',
  'EURO',
  'E1R',
  'pending',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
  'unknown',
  0,
  1,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  '12',
  true,
  {},
  [],
  ['EUR'],
];

const KEYS = {
  create: ['customer_id', 'amount', 'currency', 'status', 'ref'],
  update: ['id', 'status', 'ref'],
};

describe('compiled item checks agree with class-validator', () => {
  for (const [name, dto, keys, valid] of [
    [
      'create_orders',
      CreateOrderItemDto,
      KEYS.create,
      { customer_id: 'cus_1', amount: 1999, currency: 'EUR', ref: 'row-1' },
    ],
    [
      'update_orders_status',
      UpdateOrderStatusItemDto,
      KEYS.update,
      { id: 'ord_1', status: 'paid' },
    ],
  ] as const) {
    const fast = compileFastCheck(dto)!;

    it(`${name}: compiles, and passes a plain valid item`, () => {
      expect(fast).not.toBeNull();
      expect(fast({ ...valid })).toBe(true);
      expect(classValidatorAccepts(dto, valid)).toBe(true);
    });

    it(`${name}: never accepts an item class-validator refuses (5,000 generated items)`, () => {
      const next = rng(42);
      let fastAccepted = 0;
      for (let i = 0; i < 5000; i++) {
        const item: Record<string, unknown> = { ...valid };
        const edits = 1 + Math.floor(next() * 3);
        for (let e = 0; e < edits; e++) {
          const key = next() < 0.1 ? 'extra' : keys[Math.floor(next() * keys.length)];
          const value = VALUES[Math.floor(next() * VALUES.length)];
          if (value === undefined && next() < 0.5) delete item[key];
          else item[key] = value;
        }
        const verdict = classValidatorAccepts(dto, item);
        if (fast(item)) {
          fastAccepted++;
          expect(verdict, JSON.stringify(item)).toBe(true);
        }
      }
      // The generator must reach both verdicts for the agreement to mean anything.
      expect(fastAccepted).toBeGreaterThan(100);
      expect(fastAccepted).toBeLessThan(4900);
    });
  }
});
