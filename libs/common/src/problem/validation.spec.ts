import 'reflect-metadata';
import type { ArgumentMetadata, ValidationError } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ProblemException } from './problem.exception';
import type { FieldError } from './problem.types';
import { createValidationPipe, flattenValidationErrors } from './validation';

class AddressDto {
  @IsString()
  @MinLength(2)
  city: string;
}

class ItemDto {
  @IsString()
  sku: string;

  @IsIn(['pending', 'paid'])
  status: string;

  @IsInt()
  @Min(1)
  quantity: number;
}

class OrderDto {
  @IsString()
  @MinLength(2)
  name: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  priority?: number;

  @IsDefined()
  @ValidateNested()
  @Type(() => AddressDto)
  address: AddressDto;

  @ValidateNested({ each: true })
  @ArrayMinSize(1)
  @Type(() => ItemDto)
  items: ItemDto[];
}

const META: ArgumentMetadata = { type: 'body', metatype: OrderDto, data: '' };

function validOrder(): Record<string, unknown> {
  return {
    name: 'Ada',
    priority: 2,
    address: { city: 'London' },
    items: [
      { sku: 'A-1', status: 'pending', quantity: 1 },
      { sku: 'B-2', status: 'paid', quantity: 3 },
    ],
  };
}

function err(
  property: string,
  constraints?: Record<string, string>,
  children: ValidationError[] = [],
): ValidationError {
  return { property, constraints, children };
}

async function rejection(value: unknown, meta: ArgumentMetadata = META): Promise<ProblemException> {
  let thrown: unknown;
  try {
    await createValidationPipe().transform(value, meta);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ProblemException);
  const p = thrown as ProblemException;
  expect(p.getStatus()).toBe(400);
  expect(p.code).toBe('validation_failed');
  return p;
}

function errorsOf(p: ProblemException): FieldError[] {
  const errors = p.toProblem().errors;
  expect(Array.isArray(errors)).toBe(true);
  return errors as FieldError[];
}

describe('flattenValidationErrors', () => {
  it('returns an empty list for no errors', () => {
    expect(flattenValidationErrors([])).toEqual([]);
  });

  it('uses the property name at the top level', () => {
    expect(flattenValidationErrors([err('name', { isString: 'name must be a string' })])).toEqual([
      { field: 'name', message: 'name must be a string' },
    ]);
  });

  it('emits one entry per constraint message', () => {
    const out = flattenValidationErrors([
      err('name', {
        isString: 'name must be a string',
        minLength: 'name must be longer than or equal to 2 characters',
      }),
    ]);
    expect(out).toEqual([
      { field: 'name', message: 'name must be a string' },
      { field: 'name', message: 'name must be longer than or equal to 2 characters' },
    ]);
  });

  it('joins nested object properties with a dot', () => {
    const out = flattenValidationErrors([
      err('address', undefined, [err('city', { isString: 'city must be a string' })]),
    ]);
    expect(out).toEqual([{ field: 'address.city', message: 'city must be a string' }]);
  });

  it('uses brackets for array indexes', () => {
    const tree = err('items', undefined, [
      err('0', undefined, [
        err('status', { isIn: 'status must be one of the following values: pending, paid' }),
      ]),
      err('2', undefined, [
        err('quantity', {
          min: 'quantity must not be less than 1',
          isInt: 'quantity must be an integer number',
        }),
      ]),
    ]);
    expect(flattenValidationErrors([tree])).toEqual([
      {
        field: 'items[0].status',
        message: 'status must be one of the following values: pending, paid',
      },
      { field: 'items[2].quantity', message: 'quantity must not be less than 1' },
      { field: 'items[2].quantity', message: 'quantity must be an integer number' },
    ]);
  });

  it('handles deep nesting and arrays of arrays', () => {
    const tree = err('a', undefined, [
      err('b', undefined, [
        err('10', undefined, [err('3', { x: 'bad cell' }, [err('c', { y: 'bad leaf' })])]),
      ]),
    ]);
    expect(flattenValidationErrors([tree])).toEqual([
      { field: 'a.b[10][3]', message: 'bad cell' },
      { field: 'a.b[10][3].c', message: 'bad leaf' },
    ]);
  });

  it('keeps an own constraint of a parent before its children', () => {
    const tree = err('items', { arrayMinSize: 'items must contain at least 1 elements' }, [
      err('0', undefined, [err('sku', { isString: 'sku bad' })]),
    ]);
    expect(flattenValidationErrors([tree])).toEqual([
      { field: 'items', message: 'items must contain at least 1 elements' },
      { field: 'items[0].sku', message: 'sku bad' },
    ]);
  });

  it('does not treat numeric-looking but non-integer names as indexes', () => {
    const out = flattenValidationErrors([
      err('a', undefined, [err('1a', { x: 'm' }), err('-1', { y: 'n' })]),
    ]);
    expect(out).toEqual([
      { field: 'a.1a', message: 'm' },
      { field: 'a.-1', message: 'n' },
    ]);
  });

  it('prefixes with a given parent path', () => {
    expect(flattenValidationErrors([err('city', { x: 'm' })], 'body.address')).toEqual([
      { field: 'body.address.city', message: 'm' },
    ]);
  });

  it('flattens several top-level errors in order', () => {
    const out = flattenValidationErrors([
      err('a', { x: '1' }),
      err('b', undefined, [err('c', { y: '2' })]),
      err('d', { z: '3' }),
    ]);
    expect(out.map((e) => e.field)).toEqual(['a', 'b.c', 'd']);
    expect(out.map((e) => e.message)).toEqual(['1', '2', '3']);
  });
});

describe('createValidationPipe', () => {
  it('transforms valid input into an instance of the DTO, nested classes included', async () => {
    const out = (await createValidationPipe().transform(validOrder(), META)) as OrderDto;
    expect(out).toBeInstanceOf(OrderDto);
    expect(out.address).toBeInstanceOf(AddressDto);
    expect(out.items[0]).toBeInstanceOf(ItemDto);
    expect(out).toEqual(validOrder());
  });

  it('accepts input without optional properties', async () => {
    const { priority: _unused, ...rest } = validOrder();
    const out = (await createValidationPipe().transform(rest, META)) as OrderDto;
    expect(out).toBeInstanceOf(OrderDto);
    expect(out.priority).toBeUndefined();
  });

  it('rejects an unknown top-level property', async () => {
    const p = await rejection({ ...validOrder(), extra: 1 });
    expect(errorsOf(p)).toEqual([{ field: 'extra', message: 'property extra should not exist' }]);
  });

  it('rejects an unknown nested property with its path', async () => {
    const value = validOrder();
    (value.items as Record<string, unknown>[])[1].color = 'red';
    const errors = errorsOf(await rejection(value));
    expect(errors).toEqual([
      { field: 'items[1].color', message: 'property color should not exist' },
    ]);
  });

  it('rejects bad values with one entry per failed constraint', async () => {
    const value = {
      name: 5,
      priority: -1,
      address: { city: 'X' },
      items: [
        { sku: 'A', status: 'paid', quantity: 1 },
        { sku: 'B', status: 'lost', quantity: 0 },
      ],
    };
    const p = await rejection(value);
    const errors = errorsOf(p);
    const fields = errors.map((e) => e.field);
    expect(fields).toContain('name');
    expect(fields).toContain('priority');
    expect(fields).toContain('address.city');
    expect(fields).toContain('items[1].status');
    expect(fields).toContain('items[1].quantity');
    expect(fields.some((f) => f.startsWith('items[0]'))).toBe(false);
    // `name: 5` fails both isString and minLength.
    expect(errors.filter((e) => e.field === 'name')).toHaveLength(2);
    expect(errors.find((e) => e.field === 'items[1].status')?.message).toMatch(/pending, paid/);
    for (const e of errors) {
      expect(typeof e.message).toBe('string');
      expect(e.message.length).toBeGreaterThan(0);
    }
  });

  it('reports missing required properties', async () => {
    const fields = errorsOf(await rejection({})).map((e) => e.field);
    expect(new Set(fields)).toEqual(new Set(['name', 'address', 'items']));
  });

  it('rejects a nested object given as a scalar', async () => {
    const errors = errorsOf(await rejection({ ...validOrder(), address: 'London' }));
    expect(errors.map((e) => e.field)).toEqual(['address']);
  });

  it('rejects an empty items array', async () => {
    const errors = errorsOf(await rejection({ ...validOrder(), items: [] }));
    expect(errors.map((e) => e.field)).toEqual(['items']);
  });

  it('renders a problem body with the errors', async () => {
    const body = (await rejection({ ...validOrder(), extra: true })).toProblem('/orders');
    expect(body.status).toBe(400);
    expect(body.code).toBe('validation_failed');
    expect(body.detail).toBe('The request is invalid');
    expect(body.instance).toBe('/orders');
    expect(body.errors).toEqual([{ field: 'extra', message: 'property extra should not exist' }]);
  });
});
