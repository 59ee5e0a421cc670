// A minimal keep-alive HTTP client that times one request at a time (no pipelining, no concurrency),
// from just before the request is written to the last byte of the body.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export function createClient(baseUrl, defaultHeaders = {}) {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  function get(path, headers = {}) {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          path,
          method: 'GET',
          agent,
          headers: { accept: 'application/json', ...defaultHeaders, ...headers },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const ms = performance.now() - t0;
            resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(120_000, () => req.destroy(new Error(`timeout GET ${path}`)));
      req.on('error', reject);
      req.end();
    });
  }

  async function getJson(path, headers) {
    const r = await get(path, headers);
    let json;
    try {
      json = JSON.parse(r.body);
    } catch {
      json = undefined;
    }
    return { ...r, json };
  }

  return { get, getJson, close: () => agent.destroy() };
}

/** Polls `url` until it answers 2xx or the deadline passes. */
export async function waitForHttp(url, { timeoutMs = 60_000, isAlive = () => true } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process behind ${url} exited before it was ready`);
    try {
      const status = await new Promise((resolve, reject) => {
        const req = http.get(url, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.setTimeout(2000, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
      });
      if (status >= 200 && status < 300) return;
      last = `HTTP ${status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}
