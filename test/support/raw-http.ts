import { request, type Agent, type IncomingHttpHeaders } from 'node:http';

/** One raw request as an attacker saw it: the answer, or why none came. */
export interface RawAnswer {
  /** Undefined when no HTTP answer came (`failure` says why). */
  status?: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as a JSON object ({} when it is not one). */
  json: Record<string, unknown>;
  /** From the first byte sent to the answer's end (or the failure). */
  ms: number;
  /** Whether the whole body had been written when the answer came. */
  bodySent: boolean;
  /** `reset` (ECONNRESET), `closed` (the server hung up), `deadline` (the client gave up), or the error. */
  failure?: string;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Written piece by piece with backpressure; a generator may wait between pieces (slow clients). */
  body?: Iterable<Buffer | string> | AsyncIterable<Buffer | string>;
  /** The client gives up (and destroys the socket) after this long. */
  deadlineMs: number;
  /** Aborting destroys the socket at once (`deadline`). */
  signal?: AbortSignal;
  /** A keep-alive agent for floods; default a socket of its own. */
  agent?: Agent;
}

/** Only this much of an answer's body is kept: problems are small, attacks must not cost the test memory. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * A request on a socket of its own (no pooling), whose body is written as the attacker chooses. It
 * never throws and never outlives its deadline: the answer, a reset, a hang-up or `deadline`.
 */
export function rawRequest(base: string, spec: RawRequest): Promise<RawAnswer> {
  const started = performance.now();
  let bodySent = spec.body === undefined;
  return new Promise<RawAnswer>((resolve) => {
    let settled = false;
    const finish = (answer: Omit<RawAnswer, 'ms' | 'bodySent'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      // A socket with a body still owed, or a failed one, is not reused: it is destroyed.
      if (answer.failure || !bodySent) req.destroy();
      resolve({ ...answer, ms: Math.round(performance.now() - started), bodySent });
    };
    const fail = (failure: string) => finish({ headers: {}, body: '', json: {}, failure });
    const onAbort = () => fail('deadline');
    const timer = setTimeout(onAbort, spec.deadlineMs);
    spec.signal?.addEventListener('abort', onAbort, { once: true });

    const req = request(`${base}${spec.path}`, {
      method: spec.method ?? 'POST',
      headers: spec.headers,
      agent: spec.agent ?? false,
    });
    // Once an answer has begun, a later write error (the server hung up on the rest of the body)
    // does not hide it: the answer is what the attacker got.
    let answered: (() => void) | undefined;
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (answered) return answered();
      fail(
        e.code === 'ECONNRESET' ? 'reset' : e.message === 'socket hang up' ? 'closed' : e.message,
      );
    });
    req.on('response', (res) => {
      const pieces: Buffer[] = [];
      let kept = 0;
      answered = () => {
        const body = Buffer.concat(pieces).toString('utf8');
        finish({ status: res.statusCode, headers: res.headers, body, json: asObject(body) });
      };
      res.on('data', (d: Buffer) => {
        if (kept < MAX_ANSWER_BYTES) pieces.push(d);
        kept += d.length;
      });
      res.on('error', answered);
      res.on('end', answered);
    });
    if (spec.signal?.aborted) return onAbort();
    void writeBody(req, spec.body, () => settled).then((complete) => {
      bodySent = complete;
    });
  });
}

/** Writes the pieces until the body ends or the request is over; true if the whole body went out. */
async function writeBody(
  req: ReturnType<typeof request>,
  body: RawRequest['body'],
  over: () => boolean,
): Promise<boolean> {
  try {
    for await (const piece of body ?? []) {
      if (over() || req.destroyed) return false;
      if (!req.write(piece)) {
        await new Promise<void>((ok) => {
          req.once('drain', ok);
          req.once('close', ok);
        });
      }
    }
    if (over() || req.destroyed) return false;
    req.end();
    return true;
  } catch {
    return false; // a write after the server hung up: the answer (or the failure) says what happened
  }
}

function asObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** `413 payload_too_large`, `202`, `reset`, …: what an attack's request ended with, for reports. */
export function describeAnswer(a: RawAnswer): string {
  if (a.status === undefined) return a.failure ?? 'no answer';
  return typeof a.json.code === 'string' ? `${a.status} ${a.json.code}` : String(a.status);
}

/** Whether the answer is an RFC 9457 problem with this status (and code, when given). */
export function isProblem(a: RawAnswer, status: number, code?: string): boolean {
  return (
    a.status === status &&
    /^application\/problem\+json/.test(a.headers['content-type'] ?? '') &&
    a.json.status === status &&
    (code === undefined || a.json.code === code)
  );
}

/** The same piece `times` times (a big body without holding it in memory twice). */
export function* repeated(piece: Buffer, times: number): Generator<Buffer> {
  for (let i = 0; i < times; i++) yield piece;
}
