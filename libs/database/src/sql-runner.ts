import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';

/** A statement run on the request path; `name` makes it a prepared statement on each connection. */
export interface Statement {
  /** Unique per SQL text: Postgres parses and plans it once per connection instead of every time. */
  name?: string;
  text: string;
  values: unknown[];
}

/**
 * Parameterized SQL for repositories on the request path, in the CLS transaction when one is active
 * (e.g. the idempotency interceptor's), else on the pool TypeORM owns. Statements go to the `pg`
 * client directly: TypeORM's per-statement query-runner set-up was a visible share of a plain
 * `POST /orders` (bench/requests), and named statements spare Postgres the parse and plan.
 */
@Injectable()
export class SqlRunner {
  private readonly pool: Pool;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    dataSource: DataSource,
  ) {
    this.pool = (dataSource.driver as unknown as { master: Pool }).master;
  }

  /** The rows of one statement (those of its RETURNING clause for INSERT/UPDATE/DELETE). */
  async rows<T extends QueryResultRow>(statement: Statement): Promise<T[]> {
    const runner = this.txHost.isTransactionActive() ? this.txHost.tx.queryRunner : undefined;
    // In a transaction the query runner is already bound to its connection: connect() returns it.
    const client = runner ? ((await runner.connect()) as PoolClient) : this.pool;
    return (await client.query<T>(statement)).rows;
  }
}
