import { databaseConfig, RequestContextModule } from '@app/common';
import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source-options';
import { Database } from './database';
import { DatabaseListener } from './database-listener';

/** The request limits as every connection's own settings, where a connection is a session. */
function sessionSettings(db: ConfigType<typeof databaseConfig>) {
  if (db.poolMode === 'transaction') return undefined; // sent as SET LOCAL with each transaction
  return {
    lock_timeout: db.budgets.request.lockMs,
    statement_timeout: db.budgets.request.statementMs,
    idle_in_transaction_session_timeout: db.idleInTransactionMs,
  };
}

/**
 * Postgres for the whole service: TypeORM's DataSource (entities, migrations, the pool) and the one
 * API every other module reaches the database through (`Database`, `DatabaseListener`).
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: ConfigType<typeof databaseConfig>) => ({
        ...dataSourceOptions(db.url, db.poolSize, sessionSettings(db)),
        entities: [],
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
    // The transaction travels in the request context (nestjs-cls): Database opens a context of its
    // own for each transaction, inheriting the request's (id, tenant) inside a request.
    RequestContextModule,
  ],
  providers: [Database, DatabaseListener],
  exports: [Database, DatabaseListener],
})
export class DatabaseModule {}
