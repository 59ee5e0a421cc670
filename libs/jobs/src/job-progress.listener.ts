import { databaseConfig } from '@app/common';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { PROGRESS_CHANNEL, type JobStatus } from './jobs.constants';

/**
 * One LISTEN connection per API process: committed job changes (NOTIFY from the workers' transactions)
 * wake the long-polls waiting on that job. No per-request sleep loop.
 */
@Injectable()
export class JobProgressListener implements OnModuleDestroy {
  private readonly logger = new Logger('JobProgress');
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private client?: Client;
  private connecting?: Promise<void>;
  private closed = false;

  constructor(@Inject(databaseConfig.KEY) private readonly db: ConfigType<typeof databaseConfig>) {}

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
    await this.ensureListening().catch((e: Error) =>
      this.logger.warn(`LISTEN unavailable: ${e.message}`),
    );
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
  }

  private ensureListening(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new Client({
        connectionString: this.db.url,
        application_name: 'bulk-rest-listen',
      });
      client.on('notification', (msg) => {
        if (msg.channel !== PROGRESS_CHANNEL || !msg.payload) return;
        const i = msg.payload.lastIndexOf(':');
        this.emitter.emit(msg.payload.slice(0, i), msg.payload.slice(i + 1));
      });
      client.on('error', (e) => {
        this.logger.warn(`LISTEN connection lost: ${e.message}`);
        if (this.client === client) this.client = undefined;
        client.end().catch(() => undefined);
      });
      client.on('end', () => {
        if (this.client === client) this.client = undefined;
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${PROGRESS_CHANNEL}`);
        this.client = client;
      } catch (e) {
        await client.end().catch(() => undefined);
        throw e;
      }
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }
}
