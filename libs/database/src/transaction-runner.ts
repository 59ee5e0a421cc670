import { TransactionHost } from '@nestjs-cls/transactional';
import type {
  TransactionalAdapterTypeOrm,
  TypeOrmTransactionOptions,
} from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable, Logger } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type { PoolClient, QueryResult } from 'pg';
import { sendPrepared, type Bracket, type BracketedTxOptions } from './bracketed-typeorm.adapter';

const AFTER_COMMIT = Symbol('afterCommit');
type Hook = () => Promise<unknown>;

/**
 * Explicit transactions that services join through CLS, plus after-commit hooks for work that must
 * not happen unless the data is durable (e.g. enqueueing a Bull job for a row just inserted).
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger('Transactions');

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly cls: ClsService,
  ) {}

  get isActive(): boolean {
    return this.cls.isActive() && this.txHost.isTransactionActive();
  }

  /** Runs `fn` in a transaction, or joins the active one; hooks run after the outermost commit. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.isActive) return fn();
    return this.withHooks(() => this.txHost.withTransaction(fn));
  }

  /**
   * Like `run`, for a short transaction whose first and last statements are known: `opening` is
   * sent with BEGIN and its results handed to `fn`; the `closing` that `fn` returns is sent with
   * COMMIT. Two round trips fewer than `run`. Both are plain SQL with escaped literals (no
   * parameters), typically EXECUTEs of the `prepare`d statements; each of their statements sees
   * what committed before it ran.
   */
  async runBracketed<T>(
    start: Pick<Bracket, 'prepare' | 'opening'>,
    fn: (opened: QueryResult[]) => Promise<{ value: T; closing?: string }>,
  ): Promise<T> {
    if (this.isActive) {
      // Inside a transaction already: the statements run in it, without BEGIN and COMMIT.
      const client = (await this.txHost.tx.queryRunner?.connect()) as PoolClient;
      const { value, closing } = await fn(await sendPrepared(client, start.prepare, start.opening));
      if (closing) await client.query(closing);
      return value;
    }
    let opened: QueryResult[] = [];
    let closing: string | undefined;
    const bracket: Bracket = {
      ...start,
      opened: (results) => (opened = results),
      closing: () => closing,
    };
    const options: BracketedTxOptions = { bracket };
    return this.withHooks(() =>
      // The host is typed with TypeORM's options; the adapter also takes a bracket.
      this.txHost.withTransaction(options as TypeOrmTransactionOptions, async () => {
        const out = await fn(opened);
        closing = out.closing;
        return out.value;
      }),
    );
  }

  /** A context for after-commit hooks around `transaction`, which are run once it committed. */
  private withHooks<T>(transaction: () => Promise<T>): Promise<T> {
    return this.cls.run({ ifNested: 'inherit' }, async () => {
      const hooks: Hook[] = [];
      this.cls.set(AFTER_COMMIT, hooks);
      const result = await transaction();
      this.cls.set(AFTER_COMMIT, undefined);
      for (const hook of hooks) {
        try {
          await hook();
        } catch (e) {
          // The data is committed; whatever the hook forwards is repaired by its owner's reconciler.
          this.logger.warn(`after-commit hook failed: ${(e as Error).message}`);
        }
      }
      return result;
    });
  }

  /** Defers `hook` until the surrounding transaction commits (drops it on rollback); runs it now otherwise. */
  async afterCommit(hook: Hook): Promise<void> {
    const hooks = this.cls.isActive() ? this.cls.get<Hook[] | undefined>(AFTER_COMMIT) : undefined;
    if (hooks && this.txHost.isTransactionActive()) hooks.push(hook);
    else await hook();
  }
}
