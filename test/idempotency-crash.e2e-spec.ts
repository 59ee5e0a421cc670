import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedDatabase } from './support/database';
import { serviceEnv, startService, type RunningService } from './support/service';

/**
 * A real API process is SIGKILLed after its handler wrote the order but before the transaction that
 * also stores the idempotent response commits. A trigger holds that transaction at the response
 * UPDATE, so the kill lands exactly in the window that matters.
 */
describe('idempotency across a crash', () => {
  let db: MigratedDatabase;
  const services: RunningService[] = [];

  beforeAll(async () => {
    db = await createMigratedDatabase('idemcrash');
    await db.pg.query(`
      CREATE FUNCTION hold_completion() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.state = 'completed' THEN PERFORM pg_sleep(120); END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER hold_completion BEFORE INSERT OR UPDATE ON idempotency_keys
        FOR EACH ROW EXECUTE FUNCTION hold_completion();`);
  });
  afterAll(async () => {
    for (const svc of services) await svc.stop();
    await db?.drop();
  });

  /** The built API alone (no workers), through a validating proxy: a SIGKILL mid-request reaches the client as a reset connection still. */
  const launch = async () => {
    const svc = await startService(
      serviceEnv({
        DATABASE_URL: db.url,
        BULL_PREFIX: `crash_${services.length}_${process.pid}`,
        RUN_WORKERS: 'false',
        IDEMPOTENCY_LOCK_TIMEOUT_SECONDS: '2',
      }),
      { worker: false, timeoutMs: 30_000 },
    );
    services.push(svc);
    return { proc: svc.api, base: svc.base };
  };

  const post = (base: string, key: string) =>
    fetch(`${base}/orders`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer key_acme',
        'content-type': 'application/json',
        'Idempotency-Key': key,
      },
      body: JSON.stringify({ customer_id: 'cus_crash', amount: 7, currency: 'EUR' }),
    });
  const count = async () =>
    Number(
      (await db.pg.query(`SELECT count(*) FROM orders WHERE customer_id = 'cus_crash'`)).rows[0]
        .count,
    );

  it('leaves neither the order nor a stored response, and a later retry executes exactly once', async () => {
    const first = await launch();
    const inflight = post(first.base, 'crash-key-1').catch((e: Error) => e);
    // Wait until the transaction is parked in the trigger: the order row is written, uncommitted.
    for (let i = 0; ; i++) {
      const { rows } = await db.pg.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`,
      );
      if (rows.length) break;
      if (i > 200) throw new Error('the request never reached the recording of its response');
      await new Promise((r) => setTimeout(r, 50));
    }
    first.proc.child.kill('SIGKILL');
    await first.proc.exited(10_000);
    expect(await inflight).toBeInstanceOf(Error);
    // The server notices the dead client; end the parked backend now instead of after the sleep.
    await db.pg.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`,
    );

    expect(await count()).toBe(0);
    // The response was being recorded in the order's own transaction: nothing of it remains, and
    // the key's lock went with the dead connection.
    const { rows } = await db.pg.query(
      `SELECT state FROM idempotency_keys WHERE key = 'crash-key-1'`,
    );
    expect(rows).toEqual([]);

    await db.pg.query('DROP TRIGGER hold_completion ON idempotency_keys');
    const second = await launch();
    const retried = await post(second.base, 'crash-key-1');
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const replay = await post(second.base, 'crash-key-1');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await count()).toBe(1);
  });
});
