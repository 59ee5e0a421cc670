import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createTestApp, TENANTS, type TestApp } from './support/test-app';

/** The CLI as users run it: the file `npm run build` emits (bin `bulk-rest`). */
const CLI = resolve(__dirname, '../dist/apps/cli/src/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('bulk-rest CLI against the real app', () => {
  let t: TestApp;
  let url: string;
  let dir: string;

  /** Runs the CLI in a child process (asynchronously: the app answers from this process). */
  const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((done, fail) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          BULK_REST_URL: url,
          BULK_REST_API_KEY: TENANTS.acme,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  const createOrder = async (customer: string, status = 'paid') =>
    (
      await t.http
        .post('/orders')
        .set(auth())
        .send({ customer_id: customer, amount: 1999, currency: 'EUR', status })
        .expect(201)
    ).body as { id: string };

  beforeAll(async () => {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run \`npm run build\` first (it builds apps/cli too)`);
    }
    const source = resolve(__dirname, '../apps/cli/src/cli.ts');
    if (statSync(source).mtimeMs > statSync(CLI).mtimeMs) {
      console.warn('cli.e2e: dist/apps/cli is older than apps/cli/src; run `npm run build`');
    }
    dir = mkdtempSync(join(tmpdir(), 'bulk-rest-cli-'));
    t = await createTestApp({ TEST_LABEL: 'cli' });
    await t.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('bulk submit file.csv --wait --out: progress, summary, results file, exit 0', async () => {
    const a = await createOrder('cus_cli');
    const b = await createOrder('cus_cli');
    const csv = file('seed.csv', `id,status\n${a.id},cancelled\n${b.id},shipped\n`);
    const out = join(dir, 'results.csv');

    const run = await cli([
      'bulk',
      'submit',
      csv,
      '--operation',
      'update_orders_status',
      '--wait',
      '--out',
      out,
    ]);

    expect(run.stderr).toMatch(/Submitted job_\w+: update_orders_status, 2 items from .*seed\.csv/);
    // stderr is a pipe here, so progress comes as plain lines, never as a redrawn bar.
    expect(run.stderr).toMatch(/job_\w+ completed 100% · 2\/2 items/);
    expect(run.stderr).not.toContain('\x1b[');
    expect(run.stdout).toMatch(
      /^Job job_\w+ completed in [\d.]+s: 2 items, 2 succeeded, 0 failed$/m,
    );
    expect(run.stdout).toContain(`Results: 2 rows saved to ${out}`);
    expect(run.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split(/\r?\n/); // RFC 4180: CRLF
    expect(rows[0]).toBe('index,id,ref,status,error_code,error_message');
    expect(rows.slice(1)).toEqual([`0,${a.id},,succeeded,,`, `1,${b.id},,succeeded,,`]);
    await t.http
      .get(`/orders/${a.id}`)
      .set(auth())
      .expect(200, /"status":"cancelled"/);
  });

  it('exits 3 when the job ends with failed items, listing them', async () => {
    const a = await createOrder('cus_cli_fail');
    const csv = file('partial.csv', `id,status\n${a.id},shipped\nord_doesnotexist,shipped\n`);
    const run = await cli(['bulk', 'submit', csv, '-o', 'update_orders_status', '--wait']);
    expect(run.stdout).toMatch(/completed in [\d.]+s: 2 items, 1 succeeded, 1 failed/);
    expect(run.stdout).toMatch(/#1 ord_doesnotexist: not_found - /);
    expect(run.code).toBe(3);

    const jobId = /job_\w+/.exec(run.stdout)![0];
    const status = await cli(['bulk', 'status', jobId]);
    expect(status.stdout).toMatch(/^status\s+completed \(100%\)$/m);
    expect(status.code).toBe(3);

    const results = await cli(['bulk', 'results', jobId, '--format', 'ndjson']);
    expect(results.code).toBe(0);
    const lines = results.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.status)).toEqual(['succeeded', 'failed']);

    const retried = await cli(['bulk', 'retry', jobId, '--wait']);
    expect(retried.stderr).toMatch(new RegExp(`Retrying 1 failed items of ${jobId} as job_\\w+`));
    expect(retried.code).toBe(3);

    const cancel = await cli(['bulk', 'cancel', jobId]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/^error: .+ \(HTTP 409, job_not_cancellable\)$/m);
  });

  it('submits NDJSON and JSON arrays, and prints just the job id without --wait', async () => {
    const items = [
      { customer_id: 'cus_cli_nd', amount: 100, currency: 'EUR', ref: 'row-1' },
      { customer_id: 'cus_cli_nd', amount: 200, currency: 'EUR', ref: 'row-2' },
    ];
    const nd = file('orders.ndjson', items.map((i) => JSON.stringify(i)).join('\n') + '\n');
    const json = file('orders.json', JSON.stringify(items));
    const first = await cli(['bulk', 'submit', nd, '--operation', 'create_orders', '--wait']);
    expect(first.stdout).toMatch(/2 items, 2 succeeded, 0 failed/);
    expect(first.code).toBe(0);
    const second = await cli(['bulk', 'submit', json, '--operation', 'create_orders', '--json']);
    expect(second.code).toBe(0);
    const job = JSON.parse(second.stdout);
    expect(job).toMatchObject({ operation: 'create_orders', total_items: 2 });
    const status = await cli(['bulk', 'status', job.id, '--wait', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: job.id, status: 'completed' });
    expect(status.code).toBe(0);
  });

  it('orders list follows every page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createOrder('cus_cli_list', 'pending')).id);

    const table = await cli([
      'orders',
      'list',
      '--customer-id',
      'cus_cli_list',
      '--page-size',
      '1',
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+AMOUNT\s+CUSTOMER\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([...ids].reverse());
    expect(lines[1]).toMatch(/pending\s+19\.99 EUR\s+cus_cli_list/);
    expect(table.stderr).toContain('3 orders');

    const limited = await cli([
      'orders',
      'list',
      '--customer-id',
      'cus_cli_list',
      '--limit',
      '2',
      '--json',
    ]);
    expect(limited.code).toBe(0);
    expect(
      limited.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([...ids].reverse().slice(0, 2));
  });

  it('exits 2 on usage errors', async () => {
    const csv = file('usage.csv', 'id,status\n');
    for (const args of [
      ['bulk', 'submit', csv], // no --operation
      ['bulk', 'submit'],
      ['bulk', 'explode', 'job_1'],
      ['orders', 'list', '--limit', 'many'],
      ['orders', 'list', '--wait'],
      ['bulk', 'submit', join(dir, 'missing.csv'), '--operation', 'x'],
      [],
    ]) {
      const run = await cli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stdout).toBe('');
    }
    const run = await cli(['bulk', 'submit', csv]);
    expect(run.stderr).toContain('error: --operation is required');
    expect(run.stderr).toContain("Run 'bulk-rest --help' for usage.");
  });

  it('exits 1 with the problem title and detail for an unknown job or a bad key', async () => {
    const unknown = await cli(['bulk', 'status', 'job_doesnotexist']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: Not Found \(HTTP 404, not_found\)$/m);
    expect(unknown.stderr).toMatch(/^ {2}.*job_doesnotexist.*$/m);

    const badKey = await cli(['orders', 'list'], { BULK_REST_API_KEY: 'nope' });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/HTTP 401, unauthorized/);
    expect(badKey.stderr).toContain('hint: pass --key or set BULK_REST_API_KEY');

    const down = await cli(['orders', 'list', '--url', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/error: cannot reach http:\/\/127\.0\.0\.1:9: fetch failed/);
  });
});
