import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable, Logger } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';

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
    return this.cls.run({ ifNested: 'inherit' }, async () => {
      const hooks: Hook[] = [];
      this.cls.set(AFTER_COMMIT, hooks);
      const result = await this.txHost.withTransaction(fn);
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
