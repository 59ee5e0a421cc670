import { describe, expect, it } from 'vitest';
import { canMove, isTerminal, movableFrom } from './job-status';

describe('job status machine', () => {
  it('moves pending → processing → completed, and ends only once', () => {
    expect(canMove('pending', 'processing')).toBe(true);
    expect(canMove('processing', 'completed')).toBe(true);
    expect(canMove('pending', 'completed')).toBe(false);
    for (const end of ['completed', 'failed', 'cancelled'] as const) {
      expect(isTerminal(end)).toBe(true);
      expect(movableFrom(end).every((s) => !isTerminal(s))).toBe(true);
    }
    expect(movableFrom('cancelled').sort()).toEqual(['pending', 'processing']);
    expect(movableFrom('failed').sort()).toEqual(['pending', 'processing']);
    expect(movableFrom('completed')).toEqual(['processing']);
  });
});
