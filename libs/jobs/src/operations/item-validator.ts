import { flattenValidationErrors } from '@app/common';
import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { PARSE_ERROR_FIELD } from '../ingest/ndjson';
import type { BulkOperationHandler } from './bulk-operation';

/** Checks one item against its operation's DTO class: the typed item, or a readable reason. */
@Injectable()
export class ItemValidator {
  check(op: BulkOperationHandler, payload: unknown, fromCsv: boolean): object | string {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return 'each item must be a JSON object';
    }
    const parseError = (payload as Record<string, unknown>)[PARSE_ERROR_FIELD];
    if (typeof parseError === 'string') return parseError;
    const instance: object = plainToInstance(op.itemDto, payload, {
      enableImplicitConversion: fromCsv,
    });
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
