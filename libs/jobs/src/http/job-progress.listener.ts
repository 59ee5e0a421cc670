import { DatabaseListener } from '@app/database';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { PROGRESS_CHANNEL, type JobStatus } from '../domain/jobs.constants';
import { JobRecords } from '../records/job-records.service';

/** How often waiting long-polls read their jobs' statuses when no notification can be had. */
export const PROGRESS_POLL_MS = 400;

/**
 * Wakes the long-polls waiting on a job when its status changes. Committed job changes arrive as
 * NOTIFYs on the process's one LISTEN connection; where there is none (a transaction pooler and no
 * DATABASE_DIRECT_URL) or it is lost, one statement every PROGRESS_POLL_MS reads the statuses of all
 * the jobs being waited on, so a long-poll still returns within about half a second of a change.
 */
@Injectable()
export class JobProgressListener implements OnModuleDestroy {
  private readonly logger = new Logger('JobProgress');
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  /** Jobs being waited on (what polling reads). */
  private readonly waiting = new Set<string>();
  private poller?: NodeJS.Timeout;
  private listening?: Promise<boolean>;
  /** Said once per outage of the LISTEN connection. */
  private degraded = false;
  /** One handler for the life of the process (the listener keeps a set of them). */
  private readonly onNotification = (payload: string) => {
    const i = payload.lastIndexOf(':');
    this.emitter.emit(payload.slice(0, i), payload.slice(i + 1));
  };

  constructor(
    private readonly listener: DatabaseListener,
    private readonly jobs: JobRecords,
  ) {}

  /**
   * Resolves when the job's status differs from `status`, or after `timeoutMs`. `recheck` reads the
   * status once the listener is in place, so a change just before it is not missed.
   */
  async waitForStatusChange(
    jobId: string,
    status: JobStatus,
    timeoutMs: number,
    recheck: () => Promise<JobStatus>,
  ): Promise<void> {
    await this.ensureListening();
    this.waiting.add(jobId);
    this.poller ??= setInterval(() => void this.tick(), PROGRESS_POLL_MS);
    try {
      await new Promise<void>((resolve, reject) => {
        const onChange = (next: string) => {
          if (next !== status) done();
        };
        const timer = setTimeout(() => done(), timeoutMs);
        const done = () => {
          clearTimeout(timer);
          this.emitter.off(jobId, onChange);
          resolve();
        };
        this.emitter.on(jobId, onChange);
        recheck().then(
          (now) => {
            if (now !== status) done();
          },
          (e: unknown) => {
            clearTimeout(timer);
            this.emitter.off(jobId, onChange);
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
      });
    } finally {
      if (!this.emitter.listenerCount(jobId)) this.waiting.delete(jobId);
    }
  }

  private ensureListening(): Promise<boolean> {
    if (!this.listener.available) return Promise.resolve(false);
    if (this.listener.listening) return Promise.resolve(true);
    this.listening ??= this.listener
      .listen(PROGRESS_CHANNEL, this.onNotification)
      .then(
        () => (this.degraded = false),
        (e: Error) => {
          if (!this.degraded)
            this.logger.warn(`LISTEN unavailable, polling job statuses instead: ${e.message}`);
          this.degraded = true;
          return false;
        },
      )
      .finally(() => (this.listening = undefined));
    return this.listening;
  }

  /**
   * While anyone waits: nothing to do when notifications flow; otherwise (never had, or the LISTEN
   * connection was lost, e.g. in a failover) try to listen again, then read the statuses once, which
   * also covers changes made while no notification could arrive.
   */
  private async tick(): Promise<void> {
    if (!this.waiting.size) {
      clearInterval(this.poller);
      this.poller = undefined;
      return;
    }
    if (this.listener.listening) return;
    await this.ensureListening();
    try {
      // Each waiter compares with the status it knows.
      for (const [id, status] of await this.jobs.statuses([...this.waiting]))
        this.emitter.emit(id, status);
    } catch (e) {
      this.logger.warn(`reading job statuses failed: ${(e as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.poller);
  }
}
