import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Wrong invocation: exit code 2, with a hint to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  operation: { type: 'string', short: 'o' },
  format: { type: 'string' },
  wait: { type: 'boolean', short: 'w' },
  out: { type: 'string' },
  atomic: { type: 'boolean' },
  'webhook-url': { type: 'string' },
  'idempotency-key': { type: 'string' },
  timeout: { type: 'string' },
  status: { type: 'string' },
  'customer-id': { type: 'string' },
  limit: { type: 'string' },
  'page-size': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export type OptionName = keyof typeof OPTIONS;
export type Options = Partial<Record<OptionName, string | boolean>>;

const GLOBAL: OptionName[] = ['url', 'key', 'json', 'help', 'version'];

/** Which options each command takes, and how many positional arguments. */
export const COMMANDS = {
  'bulk submit': {
    args: ['file'],
    options: [
      'operation',
      'format',
      'wait',
      'out',
      'atomic',
      'webhook-url',
      'idempotency-key',
      'timeout',
    ],
  },
  'bulk status': { args: ['job-id'], options: ['wait', 'out', 'timeout'] },
  'bulk cancel': { args: ['job-id'], options: [] },
  'bulk retry': { args: ['job-id'], options: ['wait', 'out', 'timeout', 'idempotency-key'] },
  'bulk results': { args: ['job-id'], options: ['out', 'format'] },
  'orders list': { args: [], options: ['status', 'customer-id', 'limit', 'page-size'] },
} as const satisfies Record<string, { args: string[]; options: OptionName[] }>;

export type CommandName = keyof typeof COMMANDS;

export interface Invocation {
  command?: CommandName;
  args: string[];
  options: Options;
}

/** Parses argv (without node and the script). Throws UsageError for anything it cannot use. */
export function parseInvocation(argv: string[]): Invocation {
  let parsed: { values: Options; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (values.help || values.version || positionals.length === 0) {
    return { args: positionals, options: values };
  }
  const name = positionals.slice(0, 2).join(' ');
  if (!(name in COMMANDS)) {
    throw new UsageError(`Unknown command: ${positionals.slice(0, 2).join(' ')}`);
  }
  const command = name as CommandName;
  const spec = COMMANDS[command];
  const args = positionals.slice(2);
  if (args.length !== spec.args.length) {
    throw new UsageError(
      spec.args.length === 0
        ? `${command} takes no arguments (got ${args.join(' ')})`
        : `${command} needs <${spec.args.join('> <')}>${args.length ? ` (got ${args.length} arguments)` : ''}`,
    );
  }
  const allowed = new Set<OptionName>([...GLOBAL, ...spec.options]);
  for (const option of Object.keys(values) as OptionName[]) {
    if (!allowed.has(option)) throw new UsageError(`${command} does not take --${option}`);
  }
  return { command, args, options: values };
}

export const stringOption = (options: Options, name: OptionName): string | undefined => {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
};

/** A positive integer option, or undefined when absent. */
export function intOption(options: Options, name: OptionName, max = Infinity): number | undefined {
  const raw = stringOption(options, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new UsageError(
      `--${name} must be a whole number from 1${Number.isFinite(max) ? ` to ${max}` : ''} (got ${raw})`,
    );
  }
  return Number(raw);
}

export const USAGE = `Usage: bulk-rest <command> [options]

Commands:
  bulk submit <file.csv|file.ndjson|file.json> --operation <op> [--wait] [--out results.csv]
              [--atomic] [--webhook-url <url>] [--idempotency-key <key>] [--format csv|ndjson|json]
                     submit a bulk job, streaming the file (CSV header row / one JSON item per line /
                     a JSON array of items or an {operation, items} object)
  bulk status <job-id> [--wait] [--out results.csv]
                     show a job (with --wait: follow it to the end)
  bulk cancel <job-id>
  bulk retry <job-id> [--wait] [--out results.csv]
                     retry the failed items of a finished job in a new job
  bulk results <job-id> [--out file] [--format csv|ndjson]
                     every item's outcome (stdout unless --out)
  orders list [--status <status>] [--customer-id <id>] [--limit <n>] [--page-size <n>]
                     orders, newest first, following every page (--limit: at most n orders;
                     --page-size: orders per request, 1-100, default min(n, 100))

Options:
  --url <url>        API base URL (env BULK_REST_URL; default http://localhost:3000)
  --key <key>        API key (env BULK_REST_API_KEY)
  -w, --wait         wait until the job ends: progress on stderr, summary on stdout
  --out <file>       save the job's results there (implies --wait)
  --timeout <s>      give up waiting after s seconds (default 3600)
  --json             print JSON instead of text
  -h, --help         show this help
  -v, --version      show the version

Exit codes: 0 ok, 1 API or network error, 2 usage error, 3 job ended with failed items
(or ended failed or cancelled).
`;
