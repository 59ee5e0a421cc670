import { describe, expect, it } from 'vitest';
import type { FailureRow, StoredChunk } from './bulk-job-chunks.repository';
import { compact } from '../runner/job-runner.service';
import { expandChunk } from './item-view';

const items = [{ id: 'o1', ref: 'r1' }, { id: 'o2' }, { id: 'o3', ref: 7 }];
const chunk = (state: StoredChunk['state'], resultIds: string | null = null): StoredChunk => ({
  chunkNo: 2,
  state,
  items: JSON.stringify(items),
  resultIds,
});
const failure: FailureRow = {
  idx: 11,
  itemId: 'o2',
  ref: null,
  code: 'not_found',
  message: 'gone',
};

describe('expandChunk', () => {
  it('derives every item of a done chunk: failures from their rows, the rest succeeded with their keys', () => {
    expect(expandChunk(chunk('done'), 5, new Map([[11, failure]]), 'id')).toEqual([
      { idx: 10, id: 'o1', ref: 'r1', status: 'succeeded', error_code: null, error_message: null },
      {
        idx: 11,
        id: 'o2',
        ref: null,
        status: 'failed',
        error_code: 'not_found',
        error_message: 'gone',
      },
      { idx: 12, id: 'o3', ref: null, status: 'succeeded', error_code: null, error_message: null },
    ]);
  });

  it('uses stored result ids when they differ from the keys, and none for keyless operations', () => {
    const rows = expandChunk(
      chunk('done', '["n1",null,"n3"]'),
      5,
      new Map([[11, failure]]),
      undefined,
    );
    expect(rows.map((r) => r.id)).toEqual(['n1', 'o2', 'n3']);
    expect(expandChunk(chunk('pending'), 5, new Map(), undefined).map((r) => r.id)).toEqual([
      null,
      null,
      null,
    ]);
  });

  it('maps chunk states to item statuses, rolled-back items carrying why', () => {
    expect(expandChunk(chunk('pending'), 5, new Map(), 'id').map((r) => r.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    const cancelled = expandChunk(chunk('cancelled'), 5, new Map(), 'id');
    expect(cancelled.map((r) => [r.status, r.error_code])).toEqual([
      ['cancelled', null],
      ['cancelled', null],
      ['cancelled', null],
    ]);
    const rolled = expandChunk(chunk('rolled_back'), 5, new Map([[11, failure]]), 'id');
    expect(rolled.map((r) => [r.status, r.error_code])).toEqual([
      ['cancelled', 'rolled_back'],
      ['failed', 'not_found'],
      ['cancelled', 'rolled_back'],
    ]);
  });
});

describe('compact', () => {
  it('stores no result ids when every succeeded item keeps its own key, and a row per failure', () => {
    const out = compact(
      2,
      10,
      items,
      ['o1', 'o2', 'o3'],
      [
        { idx: 10, status: 'succeeded', resultId: 'o1' },
        { idx: 11, status: 'failed', code: 'not_found', message: 'gone' },
        { idx: 12, status: 'succeeded' },
      ],
    );
    expect(out.outcome).toEqual({
      chunkNo: 2,
      state: 'done',
      succeeded: 2,
      failed: 1,
      resultIds: null,
    });
    expect(out.failures).toEqual([
      { idx: 11, itemId: 'o2', ref: null, code: 'not_found', message: 'gone' },
    ]);
  });

  it('stores result ids by position when an operation creates new ids', () => {
    const out = compact(
      0,
      0,
      items,
      [null, null, null],
      [
        { idx: 0, status: 'succeeded', resultId: 'n1' },
        { idx: 1, status: 'failed', code: 'validation_failed', message: 'bad' },
        { idx: 2, status: 'succeeded', resultId: 'n3' },
      ],
    );
    expect(out.outcome.resultIds).toBe('["n1",null,"n3"]');
    expect(out.failures[0]).toMatchObject({ idx: 1, itemId: null, ref: null });
  });
});
