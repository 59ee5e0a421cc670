export * from './database.module';
export * from './data-source';
export * from './embedded-postgres';
export * from './migrate';
export * from './transaction-runner';
export * from './sql-runner';
export * from './migrations';
