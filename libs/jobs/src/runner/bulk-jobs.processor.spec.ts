import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobDispatcher } from '../queueing/job-dispatcher.service';
import type { JobRunner, TurnResult } from './job-runner.service';
import { BULK_QUEUE, JobName, QUEUE_SETTINGS, type BulkQueueJob } from '../queueing/job-queues';
import { BulkJobsProcessor } from './bulk-jobs.processor';

const applied: TurnResult = { outcome: 'applied', applied: 10, jobId: 'job_1' };
const blocked: TurnResult = { outcome: 'blocked', applied: 0 };
const turn = { name: JobName.Chunk, data: { jobId: 'job_1', chunk: 3 } } as BulkQueueJob;

function setup(...answers: TurnResult[]) {
  let i = 0;
  const runner = {
    processNext: vi.fn(() => Promise.resolve(answers[Math.min(i++, answers.length - 1)])),
  };
  const dispatcher = { requeueTurn: vi.fn(() => Promise.resolve()) };
  const processor = new BulkJobsProcessor(
    runner as unknown as JobRunner,
    dispatcher as unknown as JobDispatcher,
    {} as never, // queue and config: only onModuleInit uses them
    {} as never,
  );
  return { processor, runner, dispatcher };
}

describe('BulkJobsProcessor turns', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const { blockedRetryMs, blockedHoldMs } = QUEUE_SETTINGS[BULK_QUEUE];

  it('keeps a blocked turn and asks again until a slot frees up', async () => {
    const s = setup(blocked, blocked, applied);
    const done = s.processor.apply(turn);
    await vi.advanceTimersByTimeAsync(2 * blockedRetryMs);
    expect(await done).toEqual(applied);
    expect(s.runner.processNext).toHaveBeenCalledTimes(3);
    expect(s.dispatcher.requeueTurn).not.toHaveBeenCalled();
  });

  it('hands a turn that stays blocked back to the queue after the hold, once', async () => {
    const s = setup(blocked);
    const done = s.processor.apply(turn);
    await vi.advanceTimersByTimeAsync(blockedHoldMs + blockedRetryMs);
    expect(await done).toEqual(blocked);
    expect(s.dispatcher.requeueTurn).toHaveBeenCalledTimes(1);
    expect(s.dispatcher.requeueTurn).toHaveBeenCalledWith(turn.data);
    // Asked about once per retry interval, not in a tight loop.
    expect(s.runner.processNext.mock.calls.length).toBeLessThanOrEqual(
      blockedHoldMs / blockedRetryMs + 1,
    );
  });
});
