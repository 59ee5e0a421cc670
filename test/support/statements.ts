import { Database, type Statement } from '@app/database';
import type { INestApplication } from '@nestjs/common';
import { vi } from 'vitest';

/**
 * Every statement `app` sends through its Database (the one road to Postgres) while `fn` runs, as
 * sent: text, values and name. Background work of the app (workers, sweepers) is recorded too, so
 * pick what you need by its text or values.
 */
export async function recordStatements(
  app: INestApplication,
  fn: () => Promise<unknown>,
): Promise<Statement[]> {
  const db = app.get(Database);
  const query = db.query.bind(db);
  const sent: Statement[] = [];
  const spy = vi.spyOn(db, 'query').mockImplementation((s) => (sent.push(s), query(s)));
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return sent;
}
