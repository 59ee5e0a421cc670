import { BULK_QUEUE, FairScheduler, JobRecords, WEBHOOK_QUEUE, type TenantLoad } from '@app/jobs';
import { MAINTENANCE_QUEUE, RedisPrimaryService } from '@app/queue';
import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Tenants named in per-tenant series; the rest add up under `other` (bounded label cardinality). */
export const TOP_TENANTS = 10;

/** The busiest `top` tenants (waiting + running) as they are, the rest summed as `other`. */
export function topTenants(load: TenantLoad[], top = TOP_TENANTS): TenantLoad[] {
  const sorted = [...load].sort(
    (a, b) =>
      b.waiting + b.running - (a.waiting + a.running) || a.tenantId.localeCompare(b.tenantId),
  );
  const named = sorted.slice(0, top);
  const rest = sorted.slice(top);
  if (!rest.length) return named;
  const other = { tenantId: 'other', waiting: 0, running: 0 };
  for (const t of rest) {
    other.waiting += t.waiting;
    other.running += t.running;
  }
  return [...named, other];
}

/**
 * Prometheus metrics. HTTP latency is measured in this process; job, item and queue figures are read
 * from Postgres and Redis at scrape time, so they are the same whichever API process is scraped and
 * include work done by worker-only processes.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly items = new Gauge({
    name: 'bulk_job_items',
    help: 'Items of stored bulk jobs by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly jobs = new Gauge({
    name: 'bulk_jobs',
    help: 'Stored bulk jobs by operation and status',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });
  private readonly durations = new Gauge({
    name: 'bulk_job_duration_seconds',
    help: 'Duration (started to completed) of jobs finished in the last hour, by quantile',
    labelNames: ['operation', 'quantile'] as const,
    registers: [this.registry],
  });
  private readonly queueDepth = new Gauge({
    name: 'queue_jobs',
    help: 'Queue entries by queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });
  private readonly oldestWaiting = new Gauge({
    name: 'queue_oldest_waiting_seconds',
    help: 'Age of the oldest waiting entry per queue (0 when none waits)',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  private readonly tenantChunks = new Gauge({
    name: 'bulk_tenant_chunks',
    help: `Chunks of unfinished jobs per tenant: waiting for a worker or running (the ${TOP_TENANTS} busiest tenants by name, the rest as "other")`,
    labelNames: ['tenant', 'state'] as const,
    registers: [this.registry],
  });

  private readonly redisPrimary = new Gauge({
    name: 'redis_primary_info',
    help: 'The Redis primary this process uses (1 for the address in use), and how it was found',
    labelNames: ['address', 'via'] as const,
    registers: [this.registry],
  });
  private readonly redisFailovers = new Counter({
    name: 'redis_failovers_total',
    help: 'Changes of Redis primary seen by this process since it started (Sentinel failovers)',
    registers: [this.registry],
  });

  private failoversReported = 0;

  constructor(
    private readonly primary: RedisPrimaryService,
    private readonly records: JobRecords,
    private readonly scheduler: FairScheduler,
    @InjectQueue(BULK_QUEUE) private readonly bulk: Queue,
    @InjectQueue(WEBHOOK_QUEUE) private readonly webhooks: Queue,
    @InjectQueue(MAINTENANCE_QUEUE) private readonly maintenance: Queue,
  ) {
    collectDefaultMetrics({ register: this.registry });
  }

  async render(): Promise<string> {
    this.collectRedis();
    await Promise.all([this.collectJobs(), this.collectQueues(), this.collectTenants()]);
    return this.registry.metrics();
  }

  private collectRedis(): void {
    this.redisPrimary.reset();
    if (this.primary.primary) {
      this.redisPrimary.set({ address: this.primary.primary, via: this.primary.mode }, 1);
    }
    this.redisFailovers.inc(this.primary.failovers - this.failoversReported);
    this.failoversReported = this.primary.failovers;
  }

  private async collectJobs(): Promise<void> {
    const rows = await this.records.statsByOperation();
    this.jobs.reset();
    this.items.reset();
    const totals = new Map<string, { succeeded: number; failed: number; pending: number }>();
    for (const r of rows) {
      this.jobs.set({ operation: r.operation, status: r.status }, r.jobs);
      const t = totals.get(r.operation) ?? { succeeded: 0, failed: 0, pending: 0 };
      t.succeeded += r.succeeded;
      t.failed += r.failed;
      t.pending += r.unprocessed;
      totals.set(r.operation, t);
    }
    for (const [operation, t] of totals) {
      this.items.set({ operation, outcome: 'succeeded' }, t.succeeded);
      this.items.set({ operation, outcome: 'failed' }, t.failed);
      this.items.set({ operation, outcome: 'unprocessed' }, t.pending);
    }
    const durations = await this.records.durationsLastHour();
    this.durations.reset();
    for (const d of durations) {
      this.durations.set({ operation: d.operation, quantile: '0.5' }, Number(d.p50));
      this.durations.set({ operation: d.operation, quantile: '0.95' }, Number(d.p95));
      this.durations.set({ operation: d.operation, quantile: '1' }, Number(d.max));
    }
  }

  private async collectTenants(): Promise<void> {
    const load = topTenants(await this.scheduler.tenantLoad());
    this.tenantChunks.reset();
    for (const t of load) {
      this.tenantChunks.set({ tenant: t.tenantId, state: 'waiting' }, t.waiting);
      this.tenantChunks.set({ tenant: t.tenantId, state: 'running' }, t.running);
    }
  }

  private async collectQueues(): Promise<void> {
    for (const queue of [this.bulk, this.webhooks, this.maintenance]) {
      const counts = await queue.getJobCounts();
      for (const [state, n] of Object.entries(counts) as [string, number][]) {
        this.queueDepth.set({ queue: queue.name, state }, n);
      }
      const [oldest] = await queue.getWaiting(0, 0);
      this.oldestWaiting.set(
        { queue: queue.name },
        oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0,
      );
    }
  }
}
