import type { Agent } from 'node:http';
import { allowUndocumented, operationOf } from '../openapi-validator';
import type { Generator } from './generator';
import type { FuzzRequest } from './request';
import { send, type Outcome } from './send';

/** What an undocumented request of the run (a method or path the document lacks) may answer. */
const UNDOCUMENTED_STATUSES = [400, 401, 404, 413, 415];

/** The fuzz run's own rules for every answer, beside the OpenAPI check every answer also gets. */
export function check(req: FuzzRequest, out: Outcome): string[] {
  const problems: string[] = [];
  if (out.status === 'ERR') return [`no response: ${out.error}`];
  const status = out.status;
  if (status >= 500) problems.push(`status ${status} (5xx)`);
  if (status >= 400) {
    if (!/^application\/problem\+json/i.test(out.contentType ?? ''))
      problems.push(`error without problem+json (content-type ${out.contentType ?? 'none'})`);
    let body: { status?: unknown; code?: unknown } | undefined;
    try {
      body = JSON.parse(out.body?.toString('utf8') ?? '') as typeof body;
    } catch {
      problems.push('error body is not JSON');
    }
    if (body) {
      if (body.status !== status)
        problems.push(`problem.status ${String(body.status)} ≠ ${status}`);
      if (typeof body.code !== 'string') problems.push('problem.code is not a string');
    }
  }
  if (req.badAuth && status !== 401 && !(req.preAuth && [400, 404, 413, 415].includes(status)))
    problems.push(`invalid credentials answered ${status}, expected 401`);
  if (req.crossTenant && status >= 200 && status < 300)
    problems.push(`another tenant's id answered ${status}`);
  if (req.expect && !req.expect.includes(status))
    problems.push(`expected ${req.expect.join('|')}, got ${status}`);
  return problems;
}

export function excerpt(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

export interface Failure {
  key: string;
  req: FuzzRequest;
  outcome: Outcome;
  problems: string[];
}

export function describeFailure(f: Failure): string {
  const headers = Object.fromEntries(
    Object.entries(f.req.headers).map(([k, v]) => [k, excerpt(v, 80)]),
  );
  const body = f.req.body
    ? excerpt(f.req.body.subarray(0, 400).toString('utf8'), 300) + ` [${f.req.body.length} bytes]`
    : '(none)';
  return [
    `#${f.req.index} ${f.req.method.toUpperCase()} ${excerpt(f.req.url, 200)}  [${f.req.op}]`,
    `  problems: ${f.problems.join('; ')}`,
    `  notes: ${f.req.notes.join(', ')}`,
    `  headers: ${JSON.stringify(headers)}`,
    `  body: ${body}`,
    `  → ${String(f.outcome.status)} ${f.outcome.contentType ?? ''} ${f.outcome.error ?? ''} ${excerpt(
      f.outcome.body?.toString('utf8') ?? '',
      500,
    )}`,
  ].join('\n');
}

export interface RunReport {
  /** Indices whose answer came back and went through `check`. */
  checked: Set<number>;
  /** Answers with an HTTP status (every one of them is also checked against openapi.json). */
  answered: number;
  statuses: Record<string, number>;
  /** How many checked requests counted as each kind (`FuzzRequest.kinds`). */
  kinds: Record<string, number>;
  failures: Failure[];
  specials: string[];
  slow: { ms: number; what: string }[];
}

/**
 * Sends every planned request (`indices`), `concurrency` at a time, and checks each answer. A
 * request for no documented operation (an extra method or path, or a hostile id that leaves the
 * route) is allowed as such for this test, answered with a problem of UNDOCUMENTED_STATUSES.
 */
export async function runPlan(options: {
  generator: Generator;
  indices: number[];
  base: URL;
  agent: Agent;
  concurrency: number;
  deadlineMs: number;
}): Promise<RunReport> {
  const report: RunReport = {
    checked: new Set(),
    answered: 0,
    statuses: {},
    kinds: {},
    failures: [],
    specials: [],
    slow: [],
  };
  const { generator, indices } = options;
  let next = 0;
  const worker = async () => {
    while (next < indices.length) {
      const req = generator.request(indices[next++]);
      if (!operationOf(req.method, req.url)) {
        allowUndocumented({
          name: `fuzz #${req.index}: ${req.extra ? 'a method or path the document lacks' : 'an id that leaves the route'}`,
          method: req.method,
          path: req.url.split('?')[0],
          statuses: UNDOCUMENTED_STATUSES,
        });
      }
      const outcome = await send(options.base, req, options.agent, options.deadlineMs);
      if (outcome.status !== 'ERR') report.answered++;
      const status = String(outcome.status);
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      if (req.special)
        report.specials.push(
          `#${req.index} ${req.method.toUpperCase()} ${excerpt(req.url, 60)} (${req.notes.slice(-1).join('')}) → ${status} in ${outcome.ms} ms ${excerpt(outcome.body?.toString('utf8') ?? '', 400)}`,
        );
      if (outcome.ms > 2000)
        report.slow.push({
          ms: outcome.ms,
          what: `#${req.index} ${req.method} ${excerpt(req.url, 60)} → ${status} (${req.notes.join(', ')})`,
        });
      const problems = check(req, outcome);
      report.checked.add(req.index);
      for (const kind of req.kinds) report.kinds[kind] = (report.kinds[kind] ?? 0) + 1;
      if (problems.length > 0) {
        const template = req.extra ? req.url.split('?')[0].slice(0, 40) : req.op;
        const kind = req.notes.find((n) => /^(body|upload|stray body|extra|20 MB|gzip)/.test(n));
        const key = `${req.method.toUpperCase()} ${template}: ${problems[0]} [${kind ?? 'no body'}]`;
        report.failures.push({ key, req, outcome, problems });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return report;
}
