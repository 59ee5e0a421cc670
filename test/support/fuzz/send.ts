import { type Agent, request } from 'node:http';
import type { FuzzRequest } from './request';

export interface Outcome {
  status: number | 'ERR';
  contentType?: string;
  body?: Buffer;
  headers?: Record<string, string | string[] | undefined>;
  error?: string;
  ms: number;
}

/**
 * Sends the request as generated: method, path and headers verbatim and the body's bytes as they
 * are (no client-side serialization, redirects or URL normalization), then reads the whole answer.
 * Never rejects: a connection error or the deadline is an `ERR` outcome.
 */
export function send(
  base: URL,
  req: FuzzRequest,
  agent: Agent,
  deadlineMs: number,
): Promise<Outcome> {
  const started = Date.now();
  return new Promise<Outcome>((resolve) => {
    const fail = (e: Error & { code?: string }) =>
      resolve({ status: 'ERR', error: `${e.code ?? ''} ${e.message}`, ms: Date.now() - started });
    let call;
    try {
      call = request({
        host: base.hostname,
        port: base.port,
        method: req.method.toUpperCase(),
        path: req.url,
        // Node frames a GET or DELETE body only with a length given (as any client would give).
        headers: req.body ? { ...req.headers, 'Content-Length': req.body.length } : req.headers,
        agent,
      });
    } catch (e) {
      fail(e as Error); // a header value Node refuses to send
      return;
    }
    const timer = setTimeout(() => call.destroy(new Error('deadline passed')), deadlineMs);
    let answered = false;
    call.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          headers: res.headers,
          body: Buffer.concat(chunks),
          ms: Date.now() - started,
        });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        fail(e);
      });
      res.on('close', () => {
        clearTimeout(timer);
        if (!res.complete) fail(new Error('the answer was cut short'));
      });
    });
    // Writing a body the server has already refused (413 and close) fails after the answer came.
    call.on('error', (e) => {
      if (answered) return;
      clearTimeout(timer);
      fail(e);
    });
    call.end(req.body);
  });
}
