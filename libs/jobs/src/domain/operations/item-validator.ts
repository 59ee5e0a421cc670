import { flattenValidationErrors } from '@app/common';
import { Injectable, type Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import { PARSE_ERROR_FIELD } from '../../ingest/ndjson';
import type { BulkOperationHandler } from './bulk-operation';

/** A property check that passes only where class-validator's own check passes too. */
type Check = (value: unknown) => boolean;

/**
 * The constraints a compiled check understands, each never more permissive than class-validator's
 * (`maxLength` counts UTF-16 units, which are never fewer than validator.js's characters).
 */
const CHECKS: Record<string, (c: unknown[]) => Check> = {
  isString: () => (v) => typeof v === 'string',
  isNotEmpty: () => (v) => v !== '' && v !== null && v !== undefined,
  maxLength:
    ([max]) =>
    (v) =>
      typeof v === 'string' && typeof max === 'number' && v.length <= max,
  isIn:
    ([values]) =>
    (v) =>
      Array.isArray(values) && values.includes(v),
  isInt: () => (v) => typeof v === 'number' && Number.isInteger(v),
  min:
    ([min]) =>
    (v) =>
      typeof v === 'number' && typeof min === 'number' && v >= min,
  max:
    ([max]) =>
    (v) =>
      typeof v === 'number' && typeof max === 'number' && v <= max,
  matches: ([pattern, modifiers]) => {
    const re =
      pattern instanceof RegExp
        ? pattern
        : new RegExp(String(pattern), typeof modifiers === 'string' ? modifiers : undefined);
    return (v) => typeof v === 'string' && v.match(re) !== null;
  },
};

interface PropertyPlan {
  name: string;
  optional: boolean;
  checks: Check[];
}

/** The part of class-validator's metadata for one decorator that a compiled check reads. */
interface Meta {
  type: string;
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  each?: boolean;
  groups?: string[];
}

/**
 * Compiles a DTO's class-validator metadata into plain checks, or returns null when any decorator is
 * one it does not know (then class-validator always decides). The DTO class stays the one definition.
 */
export function compileFastCheck(
  dto: Type<object>,
): ((item: Record<string, unknown>) => boolean) | null {
  const metas: Meta[] = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  if (!metas.length) return null;
  const plans = new Map<string, PropertyPlan>();
  for (const m of metas) {
    if (m.each || m.groups?.length) return null;
    const plan: PropertyPlan = plans.get(m.propertyName) ?? {
      name: m.propertyName,
      optional: false,
      checks: [],
    };
    plans.set(m.propertyName, plan);
    if (m.type === 'conditionalValidation' && m.name === 'isOptional') plan.optional = true;
    else if (m.type === 'customValidation' && m.name && CHECKS[m.name]) {
      plan.checks.push(CHECKS[m.name](m.constraints ?? []));
    } else return null;
  }
  const props = [...plans.values()];
  const known = new Set(plans.keys());
  return (item) => {
    for (const key in item) if (!known.has(key)) return false;
    for (const p of props) {
      const v = item[p.name];
      if (p.optional && (v === null || v === undefined)) continue;
      for (const check of p.checks) if (!check(v)) return false;
    }
    return true;
  };
}

/**
 * Checks one item against its operation's DTO class: the typed item, or a readable reason. Valid JSON
 * items pass a check compiled from the DTO's own decorators; anything that check does not accept
 * (invalid items, CSV values that need conversion) goes through class-validator for the verdict and
 * its messages.
 */
@Injectable()
export class ItemValidator {
  private readonly compiled = new Map<Type<object>, ReturnType<typeof compileFastCheck>>();

  check(op: BulkOperationHandler, payload: unknown, fromCsv: boolean): object | string {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return 'each item must be a JSON object';
    }
    const item = payload as Record<string, unknown>;
    if (typeof item[PARSE_ERROR_FIELD] === 'string') return item[PARSE_ERROR_FIELD];
    if (!fromCsv && this.fastCheck(op.itemDto)?.(item)) {
      return Object.assign(new op.itemDto(), item);
    }
    return this.classValidator(op.itemDto, item, fromCsv);
  }

  private fastCheck(dto: Type<object>) {
    if (!this.compiled.has(dto)) this.compiled.set(dto, compileFastCheck(dto));
    return this.compiled.get(dto);
  }

  private classValidator(dto: Type<object>, item: object, fromCsv: boolean): object | string {
    const instance: object = plainToInstance(dto, item, { enableImplicitConversion: fromCsv });
    const errors = validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
    });
    if (!errors.length) return instance;
    return flattenValidationErrors(errors)
      .map((e) => e.message)
      .join('; ');
  }
}
