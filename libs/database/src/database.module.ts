import { databaseConfig } from '@app/common';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { Global, Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source';
import { SqlRunner } from './sql-runner';
import { BracketedTypeOrmAdapter } from './bracketed-typeorm.adapter';
import { TransactionRunner } from './transaction-runner';

/**
 * TypeORM on Postgres plus a CLS-propagated transaction, so that services join whatever
 * transaction the request (e.g. the idempotency interceptor) opened.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: ConfigType<typeof databaseConfig>) => ({
        ...dataSourceOptions(db.url, db.poolSize),
        entities: [],
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
    ClsModule.forRoot({
      global: true,
      // No per-request CLS context: TransactionRunner opens one for each transaction it runs.
      middleware: { mount: false },
      plugins: [
        new ClsPluginTransactional({
          imports: [TypeOrmModule],
          adapter: new BracketedTypeOrmAdapter({ dataSourceToken: DataSource }),
          enableTransactionProxy: false,
        }),
      ],
    }),
  ],
  providers: [TransactionRunner, SqlRunner],
  exports: [TransactionRunner, SqlRunner],
})
export class DatabaseModule {}
