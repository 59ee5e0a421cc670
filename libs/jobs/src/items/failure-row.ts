/** One failed item as stored: its position, its key or ref if it had one, and why it failed. */
export interface FailureRow {
  idx: number;
  itemId: string | null;
  ref: string | null;
  code: string;
  message: string;
}
