import { ITEM_STATUSES } from '../../domain/jobs.constants';

export class ItemErrorDto {
  /** validation_failed | not_found | invalid_transition | duplicate_item | rolled_back @example not_found */
  code: string;
  message: string;
}

/** One item's outcome. */
export class BulkJobItemDto {
  /** Position in the submitted items, from 0. */
  index: number;
  /** The target or created resource id, when known. @example ord_123 */
  id: string | null;
  /** The client's own reference, echoed from the item. */
  ref?: string | null;
  status: (typeof ITEM_STATUSES)[number];
  error: ItemErrorDto | null;
}

export interface ItemRowOut {
  idx: number;
  id: string | null;
  ref: string | null;
  status: (typeof ITEM_STATUSES)[number];
  error_code: string | null;
  error_message: string | null;
}

export function toItemDto(row: ItemRowOut): BulkJobItemDto {
  return {
    index: Number(row.idx),
    id: row.id,
    ...(row.ref !== null ? { ref: row.ref } : {}),
    status: row.status,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
  };
}
