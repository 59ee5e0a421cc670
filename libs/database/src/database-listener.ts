import { databaseConfig } from '@app/common';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Client } from 'pg';

type Handler = (payload: string) => void;

/**
 * One LISTEN connection per process for every channel. LISTEN needs a session of its own, so it
 * goes to DATABASE_DIRECT_URL when set; behind a transaction pooler without it there is none
 * (`available` false) and callers poll instead.
 */
@Injectable()
export class DatabaseListener implements OnModuleDestroy {
  private readonly logger = new Logger('DatabaseListener');
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly url: string | undefined;
  private client?: Client;
  private connecting?: Promise<void>;
  private closed = false;

  constructor(@Inject(databaseConfig.KEY) config: ConfigType<typeof databaseConfig>) {
    this.url = config.directUrl ?? (config.poolMode === 'session' ? config.url : undefined);
  }

  /** Whether notifications can be had at all in this configuration. */
  get available(): boolean {
    return this.url !== undefined;
  }

  /**
   * Calls `handler` with each payload NOTIFYed on `channel` from now on. Resolves once the
   * connection listens; rejects when it cannot (callers fall back to reading the state).
   */
  async listen(channel: string, handler: Handler): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name: ${channel}`);
    const set = this.handlers.get(channel) ?? new Set();
    const fresh = !this.handlers.has(channel);
    set.add(handler);
    this.handlers.set(channel, set);
    const client = await this.ensureConnected();
    if (fresh) await client.query(`LISTEN ${channel}`);
  }

  /** Connected and listening right now (a lost connection is re-made on the next `listen`). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  private async ensureConnected(): Promise<Client> {
    if (!this.url) throw new Error('no session-capable database URL for LISTEN');
    if (this.closed) throw new Error('closed');
    if (this.client) return this.client;
    this.connecting ??= this.connect(this.url).finally(() => (this.connecting = undefined));
    await this.connecting;
    if (!this.client) throw new Error('LISTEN connection lost');
    return this.client;
  }

  private async connect(url: string): Promise<void> {
    const client = new Client({ connectionString: url, application_name: 'bulk-rest-listen' });
    client.on('notification', (msg) => {
      if (!msg.payload) return;
      for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload);
    });
    const lost = () => {
      if (this.client === client) this.client = undefined;
    };
    client.on('error', (e) => {
      this.logger.warn(`LISTEN connection lost: ${e.message}`);
      lost();
      client.end().catch(() => undefined);
    });
    client.on('end', lost);
    try {
      await client.connect();
      // Channels registered before a reconnect are listened to again.
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
      this.client = client;
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }
}
