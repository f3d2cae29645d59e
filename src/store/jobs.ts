// Job rows and their status transitions. Each transition is one conditional update (WHERE status IN
// ...), so the API and any number of workers can race on a job and exactly one transition wins.
import type { Db, Tx } from "./db.js";
import { addEvent } from "./events.js";
import { lockTenant } from "./quotas.js";
import { DEFAULT_TENANT_ID } from "./tenants.js";

export const JOB_STATUSES = ["queued", "running", "cancelling", "succeeded", "failed", "cancelled"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export type JobRow = NonNullable<Awaited<ReturnType<Db["job"]["findUnique"]>>>;

/** Job priorities: 1 is trained first, 100 last (BullMQ's priority, lower first); same priority, first in first out. */
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 100;
export const DEFAULT_PRIORITY = 50;

export interface NewJob {
  /** The owner; the single-user tenant when not given. */
  tenantId?: string;
  priority?: number;
  spec: object;
  modelId: string | null;
  datasetId: string | null;
  datasetName: string | null;
  totalSteps: number;
}

export async function createJob(db: Db | Tx, job: NewJob): Promise<JobRow> {
  const row = await db.job.create({ data: { ...job, tenantId: job.tenantId ?? DEFAULT_TENANT_ID, priority: job.priority ?? DEFAULT_PRIORITY, spec: job.spec as never, status: "queued" } });
  await addEvent(db, row.id, "status", { status: "queued" });
  return row;
}

export function getJob(db: Db, id: string): Promise<JobRow | null> {
  return db.job.findUnique({ where: { id } });
}

/** A job of one tenant: another tenant's job is null, exactly like one that does not exist. */
export function getTenantJob(db: Db, tenantId: string, id: string): Promise<JobRow | null> {
  return db.job.findFirst({ where: { id, tenantId } });
}

/** A tenant's jobs, newest first; `cursor` is the id of the last job of the previous page. */
export async function listJobs(db: Db, opts: { tenantId: string; status?: JobStatus; cursor?: string; limit: number }): Promise<{ jobs: JobRow[]; nextCursor: string | null }> {
  const rows = await db.job.findMany({
    where: { tenantId: opts.tenantId, ...(opts.status ? { status: opts.status } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: opts.limit + 1,
    ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
  });
  const jobs = rows.slice(0, opts.limit);
  return { jobs, nextCursor: rows.length > opts.limit ? jobs[jobs.length - 1].id : null };
}

async function transition(db: Db | Tx, id: string, from: readonly JobStatus[], to: JobStatus, data: Record<string, unknown> = {}, event: Record<string, unknown> = {}, attempt?: number): Promise<boolean> {
  const where = { id, status: { in: [...from] }, ...(attempt === undefined ? {} : { attempts: attempt }) };
  const { count } = await db.job.updateMany({ where, data: { ...data, status: to } });
  if (count === 1) await addEvent(db, id, "status", { status: to, ...event });
  return count === 1;
}

/** A worker takes the job (first attempt or a retry after a worker died). False if it was cancelled meanwhile. */
export async function startAttempt(db: Db | Tx, id: string): Promise<JobRow | null> {
  const job = await db.job.findUnique({ where: { id } });
  if (!job || !["queued", "running"].includes(job.status)) return null;
  const attempts = job.attempts + 1;
  const ok = await transition(db, id, ["queued", "running"], "running", { attempts, startedAt: job.startedAt ?? new Date() }, { attempt: attempts });
  return ok ? { ...job, status: "running", attempts } : null;
}

/**
 * startAttempt within the tenant's running-jobs quota: a queued job whose tenant already has
 * `maxRunning(tenantId)` jobs running is not started ("busy"; it stays queued). The count and the
 * start happen under the tenant's lock, so two workers cannot both take the last place. A job that
 * is already running (a retry after its worker died) keeps its place.
 */
export async function startAttemptWithinQuota(db: Db, id: string, maxRunning: (tenantId: string) => Promise<number>): Promise<JobRow | "busy" | null> {
  const job = await getJob(db, id);
  if (!job || job.status !== "queued") return startAttempt(db, id);
  const limit = await maxRunning(job.tenantId);
  return db.$transaction(async (tx) => {
    await lockTenant(tx, job.tenantId);
    const running = await tx.job.count({ where: { tenantId: job.tenantId, status: { in: ["running", "cancelling"] } } });
    return running >= limit ? "busy" : startAttempt(tx, id);
  });
}

export type CancelOutcome = "cancelled" | "cancelling" | { conflict: JobStatus } | "not_found";

/** A queued job is cancelled at once; a running one goes to `cancelling` until its worker stops. */
export async function requestCancel(db: Db, id: string): Promise<CancelOutcome> {
  for (;;) {
    const job = await getJob(db, id);
    if (!job) return "not_found";
    const status = job.status as JobStatus;
    if (status === "queued") {
      if (await transition(db, id, ["queued"], "cancelled", { finishedAt: new Date() })) return "cancelled";
    } else if (status === "running") {
      if (await transition(db, id, ["running"], "cancelling")) return "cancelling";
    } else if (status === "cancelling") {
      return "cancelling";
    } else {
      return { conflict: status };
    }
    // The status changed between the read and the update: look again.
  }
}

/** `attempt`, when given, fences the update: a worker whose attempt was superseded by another cannot finish the job. */
export function finishJob(db: Db, id: string, status: "succeeded" | "failed" | "cancelled", error: string | null = null, attempt?: number): Promise<boolean> {
  const from: JobStatus[] = status === "cancelled" ? ["running", "cancelling", "queued"] : ["running", "cancelling"];
  return transition(db, id, from, status, { finishedAt: new Date(), error }, error ? { error } : {}, attempt);
}

export async function recordProgress(db: Db, id: string, progress: { epoch: number; step: number; latestMetrics?: object }): Promise<void> {
  await db.job.update({
    where: { id },
    data: { epoch: progress.epoch, step: progress.step, ...(progress.latestMetrics ? { latestMetrics: progress.latestMetrics as never } : {}) },
  });
}
