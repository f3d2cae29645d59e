// Runs one queued job inside the worker's sandboxed processor: takes the job (database status),
// loads its data and last checkpoint, trains, and records everything as it goes. Metrics are
// buffered and written in batches; each flush also records progress and reads the job's status,
// which is how a cancel request reaches a running job.
import { setImmediate as yieldImmediate } from "node:timers/promises";
import type { Logger } from "pino";
import type { DatasetArrays } from "../datasets/arrays.js";
import { isBuiltin, loadBuiltin } from "../datasets/builtin.js";
import { latestResumable, readPart, saveCheckpoint } from "../store/checkpoints.js";
import { getDataset, loadDatasetArrays } from "../store/datasets.js";
import type { Db } from "../store/db.js";
import { addEvent } from "../store/events.js";
import { finishJob, getJob, recordProgress, startAttempt, startAttemptWithinQuota, type JobRow } from "../store/jobs.js";
import { deleteMetricsAfter, writeMetrics, type MetricRow } from "../store/metrics.js";
import { SpecError } from "./build.js";
import type { JobSpec } from "./spec.js";
import { loadTorch } from "./torch.js";
import { train, type StopReason } from "./trainer.js";

/** A failure of the service around training (database, storage), not of the training itself: worth a retry. */
class ServiceError extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

async function service<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof ServiceError ? err : new ServiceError(err);
  }
}

const FLUSH_EVERY_MS = 1_000;
const FLUSH_EVERY_ROWS = 500;

export interface RunContext {
  db: Db;
  jobId: string;
  /** Bound to the job (job_id, attempt, worker) by the caller. */
  log: Logger;
  /** Aborted by the worker process when it shuts down (SIGTERM). */
  signal?: AbortSignal;
  reportProgress(progress: { epoch: number; step: number; total_steps: number }): Promise<void>;
  /** The tenant's running-jobs quota; when given, a job over it is not started (outcome "deferred"). */
  maxRunning?: (tenantId: string) => Promise<number>;
}

export type RunResult =
  | { outcome: "skipped"; status: string }
  | { outcome: "deferred" }
  | { outcome: "succeeded" | "failed" | "cancelled"; step: number }
  | { outcome: "shutdown"; step: number };

async function loadData(db: Db, spec: JobSpec): Promise<DatasetArrays> {
  if ("name" in spec.dataset) {
    if (!isBuiltin(spec.dataset.name)) throw new Error(`unknown built-in data set ${spec.dataset.name}`);
    return loadBuiltin(spec.dataset.name);
  }
  const row = await getDataset(db, spec.dataset.id);
  if (!row) throw new Error(`data set ${spec.dataset.id} no longer exists`);
  return loadDatasetArrays(db, row);
}

/** Buffers metric rows and writes them, with progress, at most about once a second. */
class MetricsBuffer {
  private rows: MetricRow[] = [];
  private lastFlush = Date.now();
  cancelRequested = false;

  constructor(private readonly ctx: RunContext, private readonly totalSteps: number) {}

  add(row: MetricRow): void {
    this.rows.push(row);
  }

  due(): boolean {
    return this.rows.length >= FLUSH_EVERY_ROWS || Date.now() - this.lastFlush >= FLUSH_EVERY_MS;
  }

  async flush(): Promise<void> {
    this.lastFlush = Date.now();
    const rows = this.rows;
    this.rows = [];
    if (rows.length) {
      await writeMetrics(this.ctx.db, this.ctx.jobId, rows);
      const latest = rows[rows.length - 1];
      const { step, epoch, ...values } = latest;
      await recordProgress(this.ctx.db, this.ctx.jobId, { epoch, step, latestMetrics: values });
      await this.ctx.reportProgress({ epoch, step, total_steps: this.totalSteps });
    }
    const job = await getJob(this.ctx.db, this.ctx.jobId);
    if (!job || job.status === "cancelling" || job.status === "cancelled") this.cancelRequested = true;
  }
}

export async function runJob(ctx: RunContext): Promise<RunResult> {
  const { db, jobId, log } = ctx;
  const job = ctx.maxRunning ? await startAttemptWithinQuota(db, jobId, ctx.maxRunning) : await startAttempt(db, jobId);
  if (job === "busy") return { outcome: "deferred" };
  if (!job) {
    // Cancelled while queued, or already finished: nothing to do. A job left in `cancelling` by a
    // worker that died is settled here.
    const current = await getJob(db, jobId);
    if (current?.status === "cancelling") await finishJob(db, jobId, "cancelled");
    log.info({ status: current?.status ?? "missing" }, "job not run: no longer queued");
    return { outcome: "skipped", status: current?.status ?? "missing" };
  }
  const result = await runAttempt(ctx, job).catch((err: unknown) => {
    log.error({ err: err instanceof Error ? err.message : String(err) }, "training attempt failed; the job will be retried");
    throw err;
  });
  log.info(result, "training ended");
  return result;
}

/** One attempt at a job the worker has taken: load, train, record. */
async function runAttempt(ctx: RunContext, job: JobRow): Promise<RunResult> {
  const { db, jobId, log } = ctx;
  const spec = job.spec as unknown as JobSpec;
  const startedAt = Date.now();
  try {
    const torch = await loadTorch();
    const data = await loadData(db, spec);
    const checkpoint = await latestResumable(db, jobId);
    const resume = checkpoint ? { step: checkpoint.step, weights: await readPart(db, checkpoint, "weights"), state: await readPart(db, checkpoint, "state") } : null;
    // Steps after the checkpoint are trained again; their old rows go so the series has no duplicates.
    await deleteMetricsAfter(db, jobId, resume?.step ?? 0);
    if (resume) await addEvent(db, jobId, "resumed", { step: resume.step, attempt: job.attempts });
    log.info({ db_attempt: job.attempts, resume_step: resume?.step ?? null, total_steps: job.totalSteps }, "training started");

    const metrics = new MetricsBuffer(ctx, job.totalSteps);
    let lastStep = resume?.step ?? 0;
    const outcome = await train(torch, spec, data, resume, {
      shouldStop(): StopReason | null {
        if (ctx.signal?.aborted) return "shutdown";
        if (metrics.cancelRequested) return "cancel";
        if (spec.max_runtime_seconds !== null && Date.now() - startedAt > spec.max_runtime_seconds * 1000) return "timeout";
        return null;
      },
      onStep: (row) => {
        lastStep = row.step;
        metrics.add(row);
      },
      async onCheckpoint(c) {
        await service(async () => {
          await metrics.flush(); // metrics reach the database no later than the checkpoint that covers them
          await saveCheckpoint(db, { jobId, ...c });
        });
        log.debug({ step: c.step, kind: c.kind }, "checkpoint saved");
      },
      async yieldToEventLoop() {
        if (metrics.due()) await service(() => metrics.flush());
        await yieldImmediate();
      },
    }).catch((err: unknown) => {
      // The engine threw while training: the same spec would throw again, so the job fails for good.
      if (err instanceof ServiceError || err instanceof SpecError) throw err;
      throw new SpecError(`training stopped at step ${lastStep + 1}: ${err instanceof Error ? err.message : String(err)}`, "training", "unbuildable");
    });
    await metrics.flush();

    switch (outcome.status) {
      case "succeeded":
        await saveCheckpoint(db, { jobId, ...outcome.final });
        await finishJob(db, jobId, "succeeded");
        return { outcome: "succeeded", step: outcome.step };
      case "failed":
        await finishJob(db, jobId, "failed", outcome.error);
        return { outcome: "failed", step: outcome.step };
      case "stopped":
        if (outcome.checkpoint) await saveCheckpoint(db, { jobId, ...outcome.checkpoint });
        if (outcome.reason === "shutdown") {
          await addEvent(db, jobId, "interrupted", { step: outcome.step, reason: "worker shutting down; the job will resume from this step" });
          return { outcome: "shutdown", step: outcome.step };
        }
        if (outcome.reason === "timeout") {
          await finishJob(db, jobId, "failed", `the job ran longer than max_runtime_seconds (${spec.max_runtime_seconds}) and was stopped at step ${outcome.step}`);
          return { outcome: "failed", step: outcome.step };
        }
        await finishJob(db, jobId, "cancelled");
        return { outcome: "cancelled", step: outcome.step };
    }
  } catch (err) {
    // A spec the engine refuses, or training that throws, fails for good; anything else (database,
    // engine missing) is rethrown so that BullMQ retries the job from its last checkpoint.
    if (err instanceof SpecError) {
      log.warn({ err: err.message, field: err.field }, "job failed: the engine refused it");
      await finishJob(db, jobId, "failed", err.field === "training" ? err.message : `${err.field}: ${err.message}`);
      return { outcome: "failed", step: 0 };
    }
    throw err instanceof ServiceError ? err.cause : err;
  }
}
