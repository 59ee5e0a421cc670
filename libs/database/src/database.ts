import { databaseConfig } from '@app/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ClsService } from 'nestjs-cls';
import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { inlineStatement, sqlLiteral, type Statement } from './statement';
import { typeormPool } from './typeorm-pool';

/** How long statements may wait and run: `request` for the request path, `long` for workers and uploads. */
export type Budget = 'request' | 'long';

export interface TransactionOptions {
  /** Default `request`. */
  budget?: Budget;
}

/** What a bracketed transaction's work returns: its value, and statements to send with COMMIT. */
export interface BracketedResult<T> {
  value: T;
  closing?: readonly Statement[];
}

type Hook = () => Promise<unknown>;
type Row = Record<string, unknown>;
interface Tx {
  client: PoolClient;
  hooks: Hook[];
  budget: Budget;
}

const TX = Symbol('database.tx');

/** The results of a simple query: one per statement. */
const asResults = (r: QueryResult | QueryResult[]): QueryResult[] => (Array.isArray(r) ? r : [r]);

/**
 * The one road to Postgres: every statement of every repository, transactions with after-commit
 * hooks, statements sent together with BEGIN and COMMIT, and COPY. Built on the pool of TypeORM's
 * DataSource (TypeORM keeps entities and migrations). The transaction of the calling code travels
 * in the nestjs-cls context, so services join it without passing it around.
 *
 * `DATABASE_POOL_MODE=transaction` (a transaction pooler in front): nothing is sent that needs the
 * same server session across transactions. Statements are unnamed, bracket statements are sent as
 * literals instead of EXECUTEs of PREPAREd ones, and the time limits travel as local settings with each
 * transaction (a statement outside one is sent in an implicit transaction with its limits, in one
 * message). In `session` mode the request limits are the connection's settings.
 */
@Injectable()
export class Database {
  private readonly logger = new Logger('Database');
  private readonly pool: Pool;
  private readonly pooled: boolean;
  /** Names of the statements each connection has PREPAREd (a connection lives as long as its client). */
  private readonly preparedOn = new WeakMap<PoolClient, Set<string>>();

  constructor(
    dataSource: DataSource,
    private readonly cls: ClsService,
    @Inject(databaseConfig.KEY) private readonly config: ConfigType<typeof databaseConfig>,
  ) {
    this.pool = typeormPool(dataSource);
    this.pooled = config.poolMode === 'transaction';
  }

  /** True inside `transaction` or `bracketed`: statements join that transaction. */
  get inTransaction(): boolean {
    return this.current() !== undefined;
  }

  /** The rows of one statement (those of its RETURNING clause for INSERT/UPDATE/DELETE). */
  async rows<T = Row>(statement: Statement): Promise<T[]>;
  async rows<T = Row>(text: string, values?: readonly unknown[]): Promise<T[]>;
  async rows<T = Row>(s: Statement | string, values?: readonly unknown[]): Promise<T[]> {
    return (await this.query(typeof s === 'string' ? { text: s, values } : s)).rows as T[];
  }

  /** How many rows one INSERT/UPDATE/DELETE touched. */
  async count(text: string, values?: readonly unknown[]): Promise<number> {
    return (await this.query({ text, values })).rowCount ?? 0;
  }

  /** One statement: in the caller's transaction, else on its own (autocommit, bounded). */
  async query(statement: Statement): Promise<QueryResult<Row>> {
    const tx = this.current();
    if (tx) return tx.client.query(this.config_(statement));
    if (!this.pooled) return this.pool.query(this.config_(statement));
    // One message: an implicit transaction that carries the statement's limits.
    const results = asResults(
      await this.pool.query(`${this.limits('request')}; ${inlineStatement(statement)}`),
    );
    return results[results.length - 1];
  }

  /** Throws unless in a transaction: for statements whose locks must outlast them. */
  requireTransaction(what: string): void {
    if (!this.inTransaction) throw new Error(`${what} needs a transaction (Database.transaction)`);
  }

  /** One round trip to the server (readiness). */
  async ping(): Promise<void> {
    await this.query({ text: 'SELECT 1' });
  }

  /** Runs `fn` in a transaction, or joins the caller's; hooks run after the outermost commit. */
  async transaction<T>(fn: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const budget = options.budget ?? 'request';
    const joined = this.current();
    if (joined) {
      if (budget === 'long' && joined.budget === 'request') {
        await joined.client.query(this.limits('long'));
        joined.budget = 'long';
      }
      return fn();
    }
    return this.withClient(budget, async (client) => {
      await client.query(['BEGIN', ...this.beginLimits(budget)].join('; '));
      return { value: await fn() };
    });
  }

  /**
   * A short transaction whose first and last statements are known: `opening` is sent with BEGIN and
   * its results handed to `fn`; the `closing` statements that `fn` returns are sent with COMMIT.
   * Two round trips fewer than `transaction`. Each statement sees what committed before it ran.
   * Named statements are PREPAREd once per connection and EXECUTEd (session mode only).
   */
  async bracketed<T>(
    opening: readonly Statement[],
    fn: (opened: QueryResult[]) => Promise<BracketedResult<T>>,
  ): Promise<T> {
    const joined = this.current();
    if (joined) {
      // Inside a transaction already: the statements run in it, without BEGIN and COMMIT.
      const { value, closing } = await fn(await this.send(joined.client, [], opening));
      if (closing?.length) await this.send(joined.client, [], closing);
      return value;
    }
    return this.withClient('request', async (client) => {
      const begin = ['BEGIN', ...this.beginLimits('request')];
      return fn(await this.send(client, begin, opening));
    });
  }

  /** Runs `fn` outside any transaction of the caller (its statements commit on their own). */
  outside<T>(fn: () => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, () => {
      this.cls.set(TX, undefined);
      return fn();
    });
  }

  /** Defers `hook` until the surrounding transaction commits (drops it on rollback); runs it now otherwise. */
  async afterCommit(hook: Hook): Promise<void> {
    const tx = this.current();
    if (tx) tx.hooks.push(hook);
    else await hook();
  }

  /** `COPY … FROM STDIN` in the caller's transaction: a writable stream of COPY text rows. */
  copyFrom(sql: string): ReturnType<typeof copyFrom> {
    const tx = this.current();
    if (!tx) throw new Error('COPY runs inside a transaction (Database.transaction)');
    return tx.client.query(copyFrom(sql));
  }

  private current(): Tx | undefined {
    return this.cls.isActive() ? this.cls.get<Tx | undefined>(TX) : undefined;
  }

  /** A pooled client in a new context for the transaction `work` runs; hooks after the commit. */
  private withClient<T>(
    budget: Budget,
    work: (client: PoolClient) => Promise<BracketedResult<T>>,
  ): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, async () => {
      const client = await this.pool.connect();
      const tx: Tx = { client, hooks: [], budget };
      this.cls.set(TX, tx);
      let broken: Error | undefined;
      // A checked-out client is the caller's to watch: a connection the server ends between two
      // statements (a restart, a failover) would otherwise be an unhandled 'error' event.
      const onError = (e: Error) => (broken = e);
      client.on('error', onError);
      let value: T;
      try {
        const out = await work(client);
        value = out.value;
        await this.send(client, [], out.closing ?? [], 'COMMIT');
      } catch (error) {
        // A failed statement skips the rest of its message (COMMIT too) and aborts the
        // transaction; outside one (BEGIN's message failed first) ROLLBACK only warns.
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      } finally {
        this.cls.set(TX, undefined);
        client.off('error', onError);
        client.release(broken);
      }
      for (const hook of tx.hooks) {
        try {
          await hook();
        } catch (e) {
          // The data is committed; whatever the hook forwards is repaired by its owner's reconciler.
          this.logger.warn(`after-commit hook failed: ${(e as Error).message}`);
        }
      }
      return value;
    });
  }

  /**
   * Sends `before`, `statements` and `after` in one simple-protocol message (preceded by whichever
   * PREPAREs this connection lacks); returns the results of `statements` alone.
   */
  private async send(
    client: PoolClient,
    before: readonly string[],
    statements: readonly Statement[],
    after?: string,
  ): Promise<QueryResult[]> {
    if (!before.length && !statements.length && !after) return [];
    const missing = this.pooled ? [] : this.unprepared(client, statements);
    const parts = [
      ...missing.map((s) => `PREPARE ${s.name}(${(s.types ?? []).join(', ')}) AS ${s.text}`),
      ...before,
      ...statements.map((s) => this.render(s)),
      ...(after ? [after] : []),
    ];
    try {
      const results = asResults(await client.query(parts.join('; ')));
      if (missing.length) {
        const known = this.preparedOn.get(client) ?? new Set<string>();
        for (const s of missing) known.add(s.name!);
        this.preparedOn.set(client, known);
      }
      const from = missing.length + before.length;
      return results.slice(from, from + statements.length);
    } catch (error) {
      // Statements prepared before a failure in the same message stay: learn which exist.
      if (missing.length) {
        await client
          .query<{ name: string }>('SELECT name FROM pg_prepared_statements')
          .then(({ rows }) => this.preparedOn.set(client, new Set(rows.map((r) => r.name))))
          .catch(() => undefined);
      }
      throw error;
    }
  }

  private unprepared(client: PoolClient, statements: readonly Statement[]): Statement[] {
    const known = this.preparedOn.get(client);
    const seen = new Set<string>();
    return statements.filter((s) => {
      if (!s.name || known?.has(s.name) || seen.has(s.name)) return false;
      seen.add(s.name);
      return true;
    });
  }

  /** A statement for a simple-protocol message: EXECUTE of its prepared form, or inline literals. */
  private render(s: Statement): string {
    if (this.pooled || !s.name) return inlineStatement(s);
    const args = (s.values ?? []).map((v) => sqlLiteral(v));
    return `EXECUTE ${s.name}${args.length ? `(${args.join(', ')})` : ''}`;
  }

  /** The statement as `pg` takes it; unnamed behind a transaction pooler. */
  private config_(s: Statement): QueryConfig {
    return {
      text: s.text,
      values: s.values as unknown[] | undefined,
      name: this.pooled ? undefined : s.name,
    };
  }

  /** What a new transaction starts with (session mode: the request limits are the connection's). */
  private beginLimits(budget: Budget): string[] {
    if (!this.pooled && budget === 'request') return [];
    return [this.limits(budget, this.pooled)];
  }

  /**
   * The limits for the rest of the transaction, as one statement (`set_config(…, true)` is `SET
   * LOCAL`): Postgres parses and runs one statement instead of one per setting.
   */
  private limits(budget: Budget, idle = false): string {
    const b = this.config.budgets[budget];
    const settings: [string, number][] = [
      ['lock_timeout', b.lockMs],
      ['statement_timeout', b.statementMs],
    ];
    if (idle)
      settings.push(['idle_in_transaction_session_timeout', this.config.idleInTransactionMs]);
    return `SELECT ${settings.map(([k, v]) => `set_config('${k}', '${Math.trunc(v)}', true)`).join(', ')}`;
  }
}
