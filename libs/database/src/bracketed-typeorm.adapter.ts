import {
  TransactionalAdapterTypeOrm,
  type TypeOrmTransactionOptions,
} from '@nestjs-cls/transactional-adapter-typeorm';
import type { PoolClient, QueryResult } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * Statements that travel with BEGIN and with COMMIT, in one round trip each: the simple query
 * protocol takes several statements per message, but no parameters, so every value in them must
 * be an escaped literal (`escapeLiteral` from `pg`).
 */
export interface Bracket {
  /** Sent as `BEGIN; <opening>`; each statement sees what committed before it ran. */
  opening: string;
  /** Receives the opening statements' results before the transaction's work starts. */
  opened(results: QueryResult[]): void;
  /** Statements sent as `<closing>; COMMIT` once the work is done, if any. */
  closing(): string | undefined;
}

/** Transaction options: TypeORM's, plus an optional bracket. */
export interface BracketedTxOptions extends Partial<TypeOrmTransactionOptions> {
  bracket?: Bracket;
}

type Wrap = (
  options: BracketedTxOptions | undefined,
  fn: () => Promise<unknown>,
  setClient: (client?: EntityManager) => void,
) => Promise<unknown>;

/** TypeORM keeps these internally; a bracketed transaction is begun and ended behind its back. */
type RunnerState = QueryRunner & { transactionDepth: number };

/** The results of a simple query: one per statement. */
export const asResults = (r: QueryResult | QueryResult[]): QueryResult[] =>
  Array.isArray(r) ? r : [r];

/**
 * The CLS transaction adapter for TypeORM, able to run a transaction whose first statements are
 * sent together with BEGIN and whose last ones together with COMMIT: two round trips fewer for a
 * short request such as an idempotent `POST /orders` (bench/requests). Inside, services see an
 * ordinary TypeORM transaction (`txHost.tx`), so their code does not change.
 */
export class BracketedTypeOrmAdapter extends TransactionalAdapterTypeOrm {
  constructor(options: ConstructorParameters<typeof TransactionalAdapterTypeOrm>[0]) {
    super(options);
    const base = this.optionsFactory;
    this.optionsFactory = (dataSource: DataSource) => {
      const plain = base(dataSource);
      const wrap: Wrap = (options, fn, setClient) =>
        options?.bracket
          ? runBracketed(dataSource, options.bracket, fn, setClient)
          : plain.wrapWithTransaction(options as TypeOrmTransactionOptions, fn, setClient);
      return { ...plain, wrapWithTransaction: wrap as typeof plain.wrapWithTransaction };
    };
  }
}

async function runBracketed(
  dataSource: DataSource,
  bracket: Bracket,
  fn: () => Promise<unknown>,
  setClient: (client?: EntityManager) => void,
): Promise<unknown> {
  const runner = dataSource.createQueryRunner() as RunnerState;
  const client = (await runner.connect()) as PoolClient;
  try {
    const results = asResults(await client.query(`BEGIN; ${bracket.opening}`));
    // As after TypeORM's own startTransaction: saves and nested transactions join this one.
    (runner as { isTransactionActive: boolean }).isTransactionActive = true;
    runner.transactionDepth = 1;
    bracket.opened(results.slice(1));
    setClient(runner.manager);
    const value = await fn();
    const closing = bracket.closing();
    await client.query(closing ? `${closing}; COMMIT` : 'COMMIT');
    return value;
  } catch (error) {
    // A failed statement skips the rest of its message (COMMIT too) and aborts the transaction.
    // Outside a transaction (BEGIN's message failed first) ROLLBACK is a harmless warning.
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    (runner as { isTransactionActive: boolean }).isTransactionActive = false;
    runner.transactionDepth = 0;
    await runner.release();
  }
}
