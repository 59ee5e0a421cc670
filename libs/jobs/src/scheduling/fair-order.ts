import { JOB_PRIORITIES } from '../domain/jobs.constants';
import type { SchedulableJob } from './tenant-slots.repository';

/** JOB_PRIORITIES lists them highest first. */
const rank = (job: SchedulableJob) => JOB_PRIORITIES.indexOf(job.priority);

/** One tenant's turn: its jobs in the order to try them, and whether it may start another chunk. */
export interface TenantTurn {
  tenantId: string;
  jobs: SchedulableJob[];
  running: number;
  atLimit: boolean;
}

/** Where the last turns went: round robin resumes after them. */
export interface Rotation {
  lastTenant: string | null;
  lastJobOf(tenantId: string): string | null;
}

/** A job's place in its tenant's round robin: submission order, then id. */
export const jobKey = (job: Pick<SchedulableJob, 'createdAt' | 'id'>) =>
  `${job.createdAt.toISOString()} ${job.id}`;

/** Ascending by key, starting after `last` and wrapping around. */
function after<T>(items: T[], key: (t: T) => string, last: string | null): T[] {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (last === null) return sorted;
  const i = sorted.findIndex((t) => key(t) > last);
  return i <= 0 ? sorted : [...sorted.slice(i), ...sorted.slice(0, i)];
}

/**
 * The order in which to offer the next chunk: tenants with fewer chunks running first, and among
 * equals, round robin after the tenant served last; within a tenant, its higher-priority jobs
 * first, and among equals, round robin after its job served last. Priority never reorders tenants.
 */
export function fairOrder(
  jobs: SchedulableJob[],
  rotation: Rotation,
  maxPerTenant: number,
): TenantTurn[] {
  const byTenant = new Map<string, SchedulableJob[]>();
  for (const job of jobs) {
    const list = byTenant.get(job.tenantId);
    if (list) list.push(job);
    else byTenant.set(job.tenantId, [job]);
  }
  const turns = [...byTenant].map(([tenantId, own]): TenantTurn => {
    const lastJob = rotation.lastJobOf(tenantId);
    const ordered = after(own, jobKey, lastJob).sort(
      (a, b) => rank(a) - rank(b), // stable: keeps the rotation within a rank
    );
    const running = own[0].tenantRunning;
    return { tenantId, jobs: ordered, running, atLimit: running >= maxPerTenant };
  });
  return after(turns, (t) => t.tenantId, rotation.lastTenant).sort((a, b) => a.running - b.running);
}
