import { InvalidInputError } from '@app/common';
import { JobError } from '../domain/jobs.errors';

/** What one line or row of an upload may cost (BULK_MAX_LINE_BYTES, BULK_MAX_CSV_FIELDS). */
export interface UploadLimits {
  /** Bytes of one NDJSON line or CSV row as sent, its final line feed not counted. */
  maxLineBytes: number;
  /** Fields of one CSV row, the header row included. */
  maxCsvFields: number;
}

/**
 * An upload with a line past a limit is refused whole (413), before anything of it is stored (the
 * chunks wait in a spool until the job's transaction).
 */
export function lineTooLong(what: string, n: number, limit: number): JobError {
  return new JobError(
    'payload_too_large',
    `${what} ${n} is longer than ${limit} bytes (BULK_MAX_LINE_BYTES); nothing was stored`,
  );
}

export function tooManyFields(row: number, limit: number): JobError {
  return new JobError(
    'payload_too_large',
    `CSV row ${row} has more than ${limit} fields (BULK_MAX_CSV_FIELDS); nothing was stored`,
  );
}

/** More items than BULK_MAX_ITEMS: the job is refused (400). */
export function tooManyItems(max: number): InvalidInputError {
  return new InvalidInputError([
    { field: 'items', message: `items must contain at most ${max} items (BULK_MAX_ITEMS)` },
  ]);
}
