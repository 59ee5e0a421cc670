import { Client, type PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendPrepared } from './bracketed-typeorm.adapter';

describe('sendPrepared (real Postgres)', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await client.connect();
  });
  afterAll(() => client?.end());

  const prepare = { t_twice: 'PREPARE t_twice(integer) AS SELECT $1 * 2 AS n' };
  const send = (sql: string) => sendPrepared(client as unknown as PoolClient, prepare, sql);

  it('prepares once per connection and returns only the results of the statements', async () => {
    const [a, b] = await send('EXECUTE t_twice(2); EXECUTE t_twice(5)');
    expect([a.rows, b.rows]).toEqual([[{ n: 4 }], [{ n: 10 }]]);
    // A second PREPARE of the name would fail: it is not sent again.
    const [c] = await send('EXECUTE t_twice(21)');
    expect(c.rows).toEqual([{ n: 42 }]);
  });

  it('learns what a failed message left prepared, so the next one works', async () => {
    const other = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await other.connect();
    try {
      const run = (sql: string) =>
        sendPrepared(
          other as unknown as PoolClient,
          { t_one: 'PREPARE t_one AS SELECT 1 AS n' },
          sql,
        );
      await expect(run('SELECT 1/0')).rejects.toThrow(/division by zero/);
      const [r] = await run('EXECUTE t_one');
      expect(r.rows).toEqual([{ n: 1 }]);
    } finally {
      await other.end();
    }
  });
});
