// The mixed traffic: loops that create orders (some under an Idempotency-Key, some replaying one), page
// through the order list, read single orders, and submit bulk jobs every few seconds.
import { postJson, postNdjson, request } from '../bulk/service.mjs';
import { CFG, log, rng, sleep } from './env.mjs';
import { seedForUpdate } from './verify.mjs';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function createTraffic({ svc, pg, recorder }) {
  const rand = rng(CFG.seed);
  const state = {
    running: true,
    createdIds: [], // ring of order ids the GET loops read
    keyed: new Map(), // Idempotency-Key -> { body, id }
    keyedList: [], // the same keys in order, for picking a recent one to replay
    replays: { n: 0, sameOrder: 0, markedReplayed: 0, mismatches: [] },
    jobs: [], // every bulk job submitted (and answered 202)
    bulkRejected: {}, // status -> count, for POST /bulk-jobs answers other than 202
    loopErrors: [],
  };
  let amount = 0;
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const remember = (id) => {
    if (state.createdIds.length < 5000) state.createdIds.push(id);
    else state.createdIds[Math.floor(rand() * 5000)] = id;
  };
  const t = recorder.timed;

  async function orderLoop(loop) {
    for (let i = 0; state.running; i++) {
      const r = rand();
      if (r < 0.2 && state.keyed.size) {
        const key = pick(state.keyedList.slice(-500));
        const first = state.keyed.get(key);
        const res = await t('POST /orders (replay)', () =>
          request(svc, 'POST', '/orders', {
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify(first.body),
          }),
        );
        state.replays.n++;
        if (res.json?.id === first.id) state.replays.sameOrder++;
        else if (state.replays.mismatches.length < 20)
          state.replays.mismatches.push({
            key,
            status: res.status,
            expected: first.id,
            got: res.json?.id,
          });
        if (res.headers['idempotent-replayed'] === 'true') state.replays.markedReplayed++;
      } else if (r < 0.5) {
        const key = `soak-${process.pid}-${loop}-${i}`;
        const body = { customer_id: 'soak_keyed', amount: ++amount, currency: 'EUR' };
        const res = await t('POST /orders (Idempotency-Key)', () =>
          request(svc, 'POST', '/orders', {
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify(body),
          }),
        );
        if (res.status === 201) {
          state.keyed.set(key, { body, id: res.json.id });
          state.keyedList.push(key);
          remember(res.json.id);
        }
      } else {
        const res = await t('POST /orders', () =>
          postJson(svc, '/orders', {
            customer_id: 'soak_plain',
            amount: ++amount,
            currency: 'EUR',
          }),
        );
        if (res.status === 201) remember(res.json.id);
      }
    }
  }

  async function listLoop() {
    while (state.running) {
      let res = await t('GET /orders?limit=20', () => request(svc, 'GET', '/orders?limit=20'));
      // A few pages deeper by cursor, as a client scrolling would.
      const pages = 1 + Math.floor(rand() * 5);
      for (let p = 0; p < pages && state.running && res.json?.next_cursor; p++) {
        const cursor = encodeURIComponent(res.json.next_cursor);
        res = await t('GET /orders?limit=20&cursor', () =>
          request(svc, 'GET', `/orders?limit=20&cursor=${cursor}`),
        );
      }
    }
  }

  async function getLoop() {
    while (state.running) {
      if (!state.createdIds.length) {
        await sleep(100);
        continue;
      }
      const id = pick(state.createdIds);
      await t('GET /orders/{id}', () => request(svc, 'GET', `/orders/${encodeURIComponent(id)}`));
    }
  }

  /** Log-uniform between 1 and the maximum: mostly small jobs, now and then one near 50k. */
  const jobSize = () =>
    Math.max(
      1,
      Math.min(CFG.bulkMaxItems, Math.round(Math.exp(rand() * Math.log(CFG.bulkMaxItems)))),
    );

  async function submitJob(k) {
    const n = jobSize();
    const op = rand() < 0.5 ? 'create_orders' : 'update_orders_status';
    const format = rand() < 0.5 ? 'json' : 'ndjson';
    const job = { k, op, format, n, id: null, status: null, submittedAt: Date.now() };
    let item;
    if (op === 'create_orders') {
      item = (i) => ({
        customer_id: `soak_c${k}`,
        amount: i + 1,
        currency: 'EUR',
        ref: `c${k}-${i}`,
      });
    } else {
      job.seededVersion = await seedForUpdate(pg, k, n);
      item = (i) => ({ id: `soak_u${k}_${i}`, status: 'paid' });
    }
    const res =
      format === 'json'
        ? await t('POST /bulk-jobs (JSON)', () =>
            postJson(svc, '/bulk-jobs', {
              operation: op,
              items: Array.from({ length: n }, (_, i) => item(i)),
            }),
          )
        : await t('POST /bulk-jobs (NDJSON)', () => postNdjson(svc, op, n, item));
    if (res.status !== 202) {
      state.bulkRejected[res.status] = (state.bulkRejected[res.status] ?? 0) + 1;
      if (op === 'update_orders_status')
        job.rejected = res.status; // its seeded rows stay pending
      else return;
    } else job.id = res.json.id;
    state.jobs.push(job);
    if (job.id) await pollJob(job);
  }

  async function pollJob(job) {
    const until = Date.now() + (CFG.seconds + CFG.drainSeconds) * 1000;
    for (;;) {
      const res = await t('GET /bulk-jobs/{id}', () => request(svc, 'GET', `/bulk-jobs/${job.id}`));
      if (res.status === 200) {
        Object.assign(job, {
          status: res.json.status,
          succeeded: res.json.succeeded,
          failed: res.json.failed,
          total: res.json.total_items,
        });
        if (TERMINAL.has(res.json.status)) {
          job.secs = (Date.now() - job.submittedAt) / 1000;
          return;
        }
      }
      if (Date.now() > until) return;
      await sleep(1000);
    }
  }

  async function bulkLoop() {
    const inFlight = new Set();
    for (let k = 0; state.running; k++) {
      while (inFlight.size >= CFG.bulkInFlight && state.running) await Promise.race(inFlight);
      if (!state.running) break;
      const p = submitJob(k)
        .catch((e) => state.loopErrors.push(`bulk job ${k}: ${e.message}`))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      await sleep(CFG.bulkEveryMs);
    }
    log(`traffic stopped; waiting for ${inFlight.size} bulk job(s) to finish`);
    await Promise.all(inFlight);
  }

  /** A loop that dies on a network error is restarted after a pause: the soak keeps its load. */
  async function guard(name, fn) {
    while (state.running) {
      try {
        await fn();
      } catch (e) {
        state.loopErrors.push(`${name}: ${e.message}`);
        await sleep(500);
      }
    }
  }

  function start() {
    const loops = [];
    for (let i = 0; i < CFG.orderLoops; i++) loops.push(guard(`orders-${i}`, () => orderLoop(i)));
    for (let i = 0; i < CFG.listLoops; i++) loops.push(guard(`list-${i}`, listLoop));
    for (let i = 0; i < CFG.getLoops; i++) loops.push(guard(`get-${i}`, getLoop));
    const bulk = bulkLoop();
    return {
      /** Stops new traffic, then waits for the loops and every submitted job to end. */
      stop: async () => {
        state.running = false;
        await Promise.all(loops);
        await bulk;
      },
    };
  }

  return { state, start };
}
