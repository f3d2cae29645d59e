// Per-step training metrics. Workers write them in batches; a job resumed from a checkpoint first
// drops the rows past that checkpoint, then logs those steps again, so the series never has
// duplicates or gaps.
import type { Db } from "./db.js";

export interface MetricRow {
  step: number;
  epoch: number;
  train_loss: number;
  lr: number;
  val_loss?: number;
  val_accuracy?: number;
  test_loss?: number;
  test_accuracy?: number;
}

const INSERT_ROWS = 1_000;

const toData = (jobId: string, r: MetricRow) => ({
  jobId,
  step: r.step,
  epoch: r.epoch,
  trainLoss: r.train_loss,
  lr: r.lr,
  valLoss: r.val_loss ?? null,
  valAccuracy: r.val_accuracy ?? null,
  testLoss: r.test_loss ?? null,
  testAccuracy: r.test_accuracy ?? null,
});

export async function writeMetrics(db: Db, jobId: string, rows: MetricRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.metric.createMany({ data: rows.map((r) => toData(jobId, r)) });
}

/**
 * A worker's batch of rows, with the job's progress, in one transaction, and only while `attempt` is
 * still the job's current attempt: a job that another worker took over (its queue entry was lost
 * and re-enqueued while this worker still ran it) gets nothing more from this one, and false comes
 * back. Safe to retry after a reply lost with the connection: rows already written are replaced.
 */
export async function writeMetricsBatch(db: Db, jobId: string, attempt: number, rows: MetricRow[]): Promise<boolean> {
  if (rows.length === 0) return true;
  const { step, epoch, ...latest } = rows[rows.length - 1];
  return db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id: jobId, attempts: attempt, status: { in: ["running", "cancelling"] } },
      data: { epoch, step, latestMetrics: latest as never },
    });
    if (count !== 1) return false;
    await tx.metric.deleteMany({ where: { jobId, step: { gte: rows[0].step, lte: step } } });
    // In slices: rows held through a long outage would pass the database's limit of bound parameters.
    for (let i = 0; i < rows.length; i += INSERT_ROWS) await tx.metric.createMany({ data: rows.slice(i, i + INSERT_ROWS).map((r) => toData(jobId, r)) });
    return true;
  }, { timeout: 30_000, maxWait: 30_000 });
}

export async function deleteMetricsAfter(db: Db, jobId: string, step: number): Promise<void> {
  await db.metric.deleteMany({ where: { jobId, step: { gt: step } } });
}

export async function metricsAfter(db: Db, jobId: string, afterStep: number, limit: number): Promise<MetricRow[]> {
  const rows = await db.metric.findMany({ where: { jobId, step: { gt: afterStep } }, orderBy: { step: "asc" }, take: limit });
  return rows.map((r) => {
    const row: MetricRow = { step: r.step, epoch: r.epoch, train_loss: r.trainLoss, lr: r.lr };
    if (r.valLoss !== null) row.val_loss = r.valLoss;
    if (r.valAccuracy !== null) row.val_accuracy = r.valAccuracy;
    if (r.testLoss !== null) row.test_loss = r.testLoss;
    if (r.testAccuracy !== null) row.test_accuracy = r.testAccuracy;
    return row;
  });
}
