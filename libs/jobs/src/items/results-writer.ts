import type { ItemStatus } from '../domain/jobs.constants';

/** Spreadsheet apps execute cells that start with these; prefix such cells with a quote (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = ['index', 'id', 'ref', 'status', 'error_code', 'error_message'] as const;

export interface ResultRow {
  idx: number;
  id: string | null;
  ref: string | null;
  status: ItemStatus;
  error_code: string | null;
  error_message: string | null;
}

export function csvLine(r: ResultRow): string {
  return `${[r.idx, r.id, r.ref, r.status, r.error_code, r.error_message].map(csvCell).join(',')}\r\n`;
}

export function ndjsonLine(r: ResultRow): string {
  return `${JSON.stringify({
    index: r.idx,
    id: r.id,
    ref: r.ref,
    status: r.status,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
  })}\n`;
}
