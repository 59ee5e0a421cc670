import {
  collect,
  createBulkRestClient,
  DEFAULT_BASE_URL,
  downloadResults,
  isTerminal,
  paginate,
  SDK_VERSION,
  submitBulkJob,
  unwrap,
  waitForJob,
  type BulkJob,
  type BulkRestClient,
  type OrderStatus,
} from '@app/sdk';
import { createWriteStream } from 'node:fs';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  intOption,
  parseInvocation,
  stringOption,
  USAGE,
  UsageError,
  type Invocation,
  type Options,
} from './args';
import { detectFormat, prepareUpload } from './input';
import { ProgressReporter, type ProgressStream } from './progress';
import {
  EXIT,
  failedItemsText,
  jobDetails,
  jobExitCode,
  jobSummary,
  ORDER_HEADER,
  orderCells,
  orderRow,
  renderError,
} from './render';

export interface CliIO {
  stdout: Writable;
  stderr: Writable & ProgressStream;
  env: Record<string, string | undefined>;
  /** Test seam for the SDK's fetch. */
  fetch?: (request: Request) => Promise<Response>;
}

interface Context {
  io: CliIO;
  client: BulkRestClient;
  options: Options;
  json: boolean;
}

const write = (stream: Writable, text: string) =>
  new Promise<void>((resolve, reject) => stream.write(text, (e) => (e ? reject(e) : resolve())));

/** Runs one CLI invocation and returns its exit code (never throws). */
export async function run(argv: string[], io: CliIO): Promise<number> {
  let baseUrl = io.env.BULK_REST_URL || DEFAULT_BASE_URL;
  try {
    const invocation = parseInvocation(argv);
    const { options } = invocation;
    if (options.help || options.version) {
      await write(io.stdout, options.help ? USAGE : `bulk-rest ${SDK_VERSION}\n`);
      return EXIT.ok;
    }
    if (!invocation.command) {
      await write(io.stderr, USAGE);
      return EXIT.usage;
    }
    baseUrl = stringOption(options, 'url') ?? baseUrl;
    if (!/^https?:\/\/[^/]/.test(baseUrl))
      throw new UsageError(`--url must be an http(s) URL (got ${baseUrl})`);
    const client = createBulkRestClient({
      baseUrl,
      apiKey: stringOption(options, 'key') ?? (io.env.BULK_REST_API_KEY || undefined),
      fetch: io.fetch,
      onRetry: (r) =>
        io.stderr.write(
          `${io.stderr.isTTY ? '\n' : ''}note: ${r.reason}; retrying in ${(r.delayMs / 1000).toFixed(1)}s\n`,
        ),
    });
    return await dispatch(invocation, { io, client, options, json: options.json === true });
  } catch (e) {
    const { text, code } = renderError(e, baseUrl);
    await write(io.stderr, text);
    return code;
  }
}

async function dispatch(inv: Invocation, ctx: Context): Promise<number> {
  const [id] = inv.args;
  switch (inv.command) {
    case 'bulk submit':
      return submit(inv.args[0], ctx);
    case 'bulk status':
      return status(id, ctx);
    case 'bulk cancel':
      return cancel(id, ctx);
    case 'bulk retry':
      return retry(id, ctx);
    case 'bulk results':
      return results(id, ctx);
    case 'orders list':
      return listOrders(ctx);
    default:
      throw new UsageError('Missing command');
  }
}

const wantsWait = (o: Options) => o.wait === true || stringOption(o, 'out') !== undefined;

async function submit(file: string, ctx: Context): Promise<number> {
  const { options, io } = ctx;
  const format = detectFormat(file, stringOption(options, 'format'));
  const timeoutMs = (intOption(options, 'timeout') ?? 3600) * 1000;
  const { upload, size } = await prepareUpload(file, format, {
    operation: stringOption(options, 'operation'),
    webhookUrl: stringOption(options, 'webhook-url'),
    atomic: options.atomic === true ? true : undefined,
    idempotencyKey: stringOption(options, 'idempotency-key'),
  });
  const started = Date.now();
  const { job, replayed } = await submitBulkJob(ctx.client, upload);
  await write(
    io.stderr,
    `${replayed ? 'Replayed' : 'Submitted'} ${job.id}: ${job.operation}, ${job.total_items} items from ${file} (${format}, ${size} bytes)\n`,
  );
  if (!wantsWait(options)) {
    await write(io.stdout, ctx.json ? `${JSON.stringify(job)}\n` : `${job.id}\n`);
    return EXIT.ok;
  }
  return follow(job, ctx, started, timeoutMs);
}

/** Waits for the job with progress on stderr, then prints the summary and saves results. */
async function follow(job: BulkJob, ctx: Context, started: number, timeoutMs: number) {
  const { io, options, client } = ctx;
  const progress = new ProgressReporter(io.stderr);
  let done = job;
  if (!isTerminal(job.status)) {
    progress.update(job);
    try {
      done = await waitForJob(client, job.id, {
        timeoutMs,
        waitSeconds: 1, // a short long-poll: progress at least every second
        onProgress: (j) => progress.update(j),
      });
    } finally {
      progress.finish();
    }
  }
  const out = stringOption(options, 'out');
  let saved = '';
  if (out) {
    const rows = await saveResults(
      client,
      done.id,
      out,
      out.endsWith('.ndjson') ? 'ndjson' : 'csv',
    );
    saved = `Results: ${rows} rows saved to ${out}\n`;
  }
  if (ctx.json) {
    await write(io.stdout, `${JSON.stringify(done)}\n`);
  } else {
    let failures = '';
    if (done.failed > 0) {
      const items = await collect(
        paginate(
          (query) =>
            client.GET('/bulk-jobs/{id}/items', { params: { path: { id: done.id }, query } }),
          { status: 'failed', limit: 5 },
        ),
        5,
      );
      failures = failedItemsText(items, done.failed);
    }
    const where = saved || (done.result_url ? `Results: ${done.result_url}\n` : '');
    await write(io.stdout, jobSummary(done, Date.now() - started) + failures + where);
  }
  return jobExitCode(done);
}

async function saveResults(
  client: BulkRestClient,
  id: string,
  file: string,
  format: 'csv' | 'ndjson',
): Promise<number> {
  const stream = await downloadResults(client, id, format);
  let lines = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      for (const byte of chunk) if (byte === 0x0a) lines++;
      done(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(stream), count, createWriteStream(file));
  return format === 'csv' ? Math.max(0, lines - 1) : lines;
}

async function getJob(ctx: Context, id: string): Promise<BulkJob> {
  return unwrap(await ctx.client.GET('/bulk-jobs/{id}', { params: { path: { id } } }));
}

async function status(id: string, ctx: Context): Promise<number> {
  const job = await getJob(ctx, id);
  if (wantsWait(ctx.options)) {
    return follow(job, ctx, Date.now(), (intOption(ctx.options, 'timeout') ?? 3600) * 1000);
  }
  await write(ctx.io.stdout, ctx.json ? `${JSON.stringify(job)}\n` : jobDetails(job));
  return isTerminal(job.status) ? jobExitCode(job) : EXIT.ok;
}

async function cancel(id: string, ctx: Context): Promise<number> {
  const job = unwrap(await ctx.client.POST('/bulk-jobs/{id}/cancel', { params: { path: { id } } }));
  await write(
    ctx.io.stdout,
    ctx.json ? `${JSON.stringify(job)}\n` : `Cancel requested: ${job.id} is ${job.status}\n`,
  );
  return EXIT.ok;
}

async function retry(id: string, ctx: Context): Promise<number> {
  const key = stringOption(ctx.options, 'idempotency-key');
  const started = Date.now();
  const job = unwrap(
    await ctx.client.POST('/bulk-jobs/{id}/retry', {
      params: { path: { id } },
      headers: key ? { 'Idempotency-Key': key } : {},
    }),
  );
  await write(ctx.io.stderr, `Retrying ${job.total_items} failed items of ${id} as ${job.id}\n`);
  if (!wantsWait(ctx.options)) {
    await write(ctx.io.stdout, ctx.json ? `${JSON.stringify(job)}\n` : `${job.id}\n`);
    return EXIT.ok;
  }
  return follow(job, ctx, started, (intOption(ctx.options, 'timeout') ?? 3600) * 1000);
}

async function results(id: string, ctx: Context): Promise<number> {
  const raw = stringOption(ctx.options, 'format');
  if (raw !== undefined && raw !== 'csv' && raw !== 'ndjson') {
    throw new UsageError(`--format must be csv or ndjson (got ${raw})`);
  }
  const out = stringOption(ctx.options, 'out');
  const format = raw ?? (out?.endsWith('.ndjson') ? 'ndjson' : 'csv');
  if (out) {
    const rows = await saveResults(ctx.client, id, out, format);
    await write(ctx.io.stderr, `${rows} rows saved to ${out}\n`);
  } else {
    const stream = await downloadResults(ctx.client, id, format);
    await pipeline(Readable.fromWeb(stream), ctx.io.stdout, { end: false });
  }
  return EXIT.ok;
}

async function listOrders(ctx: Context): Promise<number> {
  const max = intOption(ctx.options, 'limit');
  const status = stringOption(ctx.options, 'status');
  const customer = stringOption(ctx.options, 'customer-id');
  const query: { limit: number; status?: OrderStatus; customer_id?: string } = {
    limit: intOption(ctx.options, 'page-size', 100) ?? Math.min(max ?? 100, 100),
  };
  if (status) query.status = status as OrderStatus; // the server validates it (400 otherwise)
  if (customer) query.customer_id = customer;
  const orders = paginate((q) => ctx.client.GET('/orders', { params: { query: q } }), query);
  let count = 0;
  if (!ctx.json) await write(ctx.io.stdout, orderRow(ORDER_HEADER));
  for await (const order of orders) {
    await write(
      ctx.io.stdout,
      ctx.json ? `${JSON.stringify(order)}\n` : orderRow(orderCells(order)),
    );
    if (++count === max) break;
  }
  if (!ctx.json) await write(ctx.io.stderr, `${count} order${count === 1 ? '' : 's'}\n`);
  return EXIT.ok;
}
