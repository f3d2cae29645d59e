// Per-tenant quotas: jobs running (enforced when a worker takes a job: see startAttemptWithinQuota),
// jobs queued and bytes stored (enforced at submit and upload, 429). A check and the write it guards run in
// one transaction that first takes the tenant's row lock (an UPDATE of its row: a row lock on
// PostgreSQL, the database write lock on SQLite), so concurrent submits of one tenant are serialised
// and cannot pass a limit together.
import type { Config } from "../config.js";
import type { Tx } from "./db.js";
import type { TenantRow } from "./tenants.js";

export interface Limits {
  runningJobs: number;
  queuedJobs: number;
  storedBytes: number;
}

export interface Usage {
  runningJobs: number;
  queuedJobs: number;
  storedBytes: number;
}

export type QuotaName = "max_queued_jobs" | "max_stored_bytes";

export class QuotaExceededError extends Error {
  constructor(readonly quota: QuotaName, readonly limit: number, message: string) {
    super(message);
  }
}

export function limitsOf(tenant: Pick<TenantRow, "maxRunningJobs" | "maxQueuedJobs" | "maxStoredBytes"> | null, config: Pick<Config, "quotaRunningJobs" | "quotaQueuedJobs" | "quotaStoredBytes">): Limits {
  return {
    runningJobs: tenant?.maxRunningJobs ?? config.quotaRunningJobs,
    queuedJobs: tenant?.maxQueuedJobs ?? config.quotaQueuedJobs,
    storedBytes: tenant?.maxStoredBytes != null ? Number(tenant.maxStoredBytes) : config.quotaStoredBytes,
  };
}

/** Holds the tenant's row lock until the transaction ends. */
export async function lockTenant(tx: Tx, tenantId: string): Promise<void> {
  await tx.$executeRaw`UPDATE "Tenant" SET "name" = "name" WHERE "id" = ${tenantId}`;
}

/** Stored bytes: the tenant's uploaded data sets plus the checkpoints (weights and resume state) of its jobs. */
export async function storedBytes(tx: Tx, tenantId: string): Promise<number> {
  const datasets = await tx.dataset.aggregate({ where: { tenantId, ready: true }, _sum: { byteSize: true } });
  const checkpoints = await tx.checkpoint.aggregate({ where: { job: { tenantId } }, _sum: { weightsSize: true, stateSize: true } });
  return (datasets._sum.byteSize ?? 0) + (checkpoints._sum.weightsSize ?? 0) + (checkpoints._sum.stateSize ?? 0);
}

export async function usageOf(tx: Tx, tenantId: string): Promise<Usage> {
  const [runningJobs, queuedJobs, bytes] = [
    await tx.job.count({ where: { tenantId, status: { in: ["running", "cancelling"] } } }),
    await tx.job.count({ where: { tenantId, status: "queued" } }),
    await storedBytes(tx, tenantId),
  ];
  return { runningJobs, queuedJobs, storedBytes: bytes };
}

/**
 * Throws QuotaExceededError if the tenant may not submit one more job now: too many queued, or no
 * room left to store. (max_running_jobs is not checked here: a job over it waits in the queue until
 * one of the tenant's running jobs ends; see startAttemptWithinQuota.)
 */
export async function checkJobQuotas(tx: Tx, tenantId: string, limits: Limits): Promise<void> {
  const queuedJobs = await tx.job.count({ where: { tenantId, status: "queued" } });
  if (queuedJobs >= limits.queuedJobs) {
    throw new QuotaExceededError("max_queued_jobs", limits.queuedJobs, `quota max_queued_jobs reached: ${queuedJobs} of this tenant's jobs are queued (limit ${limits.queuedJobs})`);
  }
  await checkRoomLeft(tx, tenantId, limits);
}

/** Throws QuotaExceededError if the tenant already stores as much as its limit allows. */
export async function checkRoomLeft(tx: Tx, tenantId: string, limits: Limits): Promise<void> {
  const stored = await storedBytes(tx, tenantId);
  if (stored >= limits.storedBytes) throw new QuotaExceededError("max_stored_bytes", limits.storedBytes, storedMessage(stored, 0, limits.storedBytes));
}

/** Throws QuotaExceededError if `adding` more bytes would take the tenant past its stored-bytes limit. */
export async function checkStoredBytes(tx: Tx, tenantId: string, adding: number, limits: Limits): Promise<void> {
  const stored = await storedBytes(tx, tenantId);
  if (stored + adding > limits.storedBytes) throw new QuotaExceededError("max_stored_bytes", limits.storedBytes, storedMessage(stored, adding, limits.storedBytes));
}

const storedMessage = (stored: number, adding: number, limit: number) =>
  `quota max_stored_bytes reached: this tenant stores ${stored} bytes${adding ? ` and this upload adds ${adding}` : ""} (limit ${limit})`;
