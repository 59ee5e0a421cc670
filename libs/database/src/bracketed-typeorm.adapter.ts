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
  /**
   * Statements `opening` and `closing` EXECUTE, by name: each `PREPARE …` is sent ahead of the
   * first BEGIN on a connection, so that Postgres parses and plans it once per connection.
   */
  prepare?: Readonly<Record<string, string>>;
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
type RunnerState = QueryRunner & { isTransactionActive: boolean; transactionDepth: number };

/** The results of a simple query: one per statement. */
const asResults = (r: QueryResult | QueryResult[]): QueryResult[] => (Array.isArray(r) ? r : [r]);

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

/** Names of the statements each connection has prepared (a connection lives as long as its client). */
const preparedOn = new WeakMap<PoolClient, Set<string>>();

function unprepared(client: PoolClient, all: Bracket['prepare']): [string, string][] {
  const known = preparedOn.get(client);
  return Object.entries(all ?? {}).filter(([name]) => !known?.has(name));
}

/**
 * Sends `statements` in one message, preceded by whichever of `prepare` this connection lacks;
 * returns the results of `statements` alone.
 */
export async function sendPrepared(
  client: PoolClient,
  prepare: Bracket['prepare'],
  statements: string,
): Promise<QueryResult[]> {
  const missing = unprepared(client, prepare);
  try {
    const sent = [...missing.map(([, sql]) => sql), statements].join('; ');
    const results = asResults(await client.query(sent)).slice(missing.length);
    if (missing.length) {
      const known = preparedOn.get(client) ?? new Set<string>();
      for (const [name] of missing) known.add(name);
      preparedOn.set(client, known);
    }
    return results;
  } catch (error) {
    // Statements prepared before a failure in the same message stay: learn which exist.
    if (missing.length) {
      await client
        .query<{ name: string }>('SELECT name FROM pg_prepared_statements')
        .then(({ rows }) => preparedOn.set(client, new Set(rows.map((r) => r.name))))
        .catch(() => undefined);
    }
    throw error;
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
    const results = (
      await sendPrepared(client, bracket.prepare, `BEGIN; ${bracket.opening}`)
    ).slice(1);
    // As after TypeORM's own startTransaction: saves and nested transactions join this one.
    runner.isTransactionActive = true;
    runner.transactionDepth = 1;
    bracket.opened(results);
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
    runner.isTransactionActive = false;
    runner.transactionDepth = 0;
    await runner.release();
  }
}
