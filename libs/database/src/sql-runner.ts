import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';

/**
 * Parameterized SQL for repositories on the request path: in the CLS transaction when one is active
 * (e.g. the idempotency interceptor's), else straight on the pg pool TypeORM owns. The pool path
 * skips TypeORM's per-statement query-runner set-up, which was a visible share of a plain
 * `POST /orders` (bench/requests).
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
  async rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    const runner = this.txHost.isTransactionActive() ? this.txHost.tx.queryRunner : undefined;
    if (runner) return (await runner.query(sql, params, true)).records as T[];
    return (await this.pool.query(sql, params)).rows as T[];
  }
}
