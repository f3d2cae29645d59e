// Runs one queued job inside the worker's sandboxed processor: takes the job (database status),
// loads its data and last checkpoint, trains, and records everything as it goes. Metrics are
// buffered and written in batches; each flush also records progress and reads the job's status,
// which is how a cancel request reaches a running job. While the database is unreachable the
// worker holds its metrics (up to a bound, then training waits) and retries with backoff, so a
// short outage loses nothing; a longer one hands the job back to the queue.
import { setImmediate as yieldImmediate } from "node:timers/promises";
import type { Logger } from "pino";
import { loadConfig } from "../config.js";
import type { DatasetArrays } from "../datasets/arrays.js";
import { isBuiltin, loadBuiltin } from "../datasets/builtin.js";
import { latestResumable, readPart, saveCheckpoint } from "../store/checkpoints.js";
import { getDataset, loadDatasetArrays } from "../store/datasets.js";
import type { Db } from "../store/db.js";
import { addEvent } from "../store/events.js";
import { finishJob, getJob, startAttempt, startAttemptWithinQuota, type JobRow } from "../store/jobs.js";
import { deleteMetricsAfter, writeMetricsBatch, type MetricRow } from "../store/metrics.js";
import { SpecError } from "./build.js";
import { OutageRetry } from "./outage.js";
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

export interface OutageLimits {
  /** How long a database outage is waited out before the job goes back to the queue (DB_RETRY_MS). */
  toleranceMs: number;
  /** Most metric rows held in memory while the database is unreachable; training waits beyond (METRICS_HOLD_ROWS). */
  holdRows: number;
}

const defaults = loadConfig({});
const DEFAULT_OUTAGE_LIMITS: OutageLimits = { toleranceMs: defaults.dbRetryMs, holdRows: defaults.metricsHoldRows };

export interface RunContext {
  db: Db;
  jobId: string;
  /** Bound to the job (job_id, attempt, worker) by the caller. */
  log: Logger;
  /** Aborted by the worker process when it shuts down (SIGTERM) or loses the job's lock. */
  signal?: AbortSignal;
  reportProgress(progress: { epoch: number; step: number; total_steps: number }): Promise<void>;
  /** Defaults: DB_RETRY_MS and METRICS_HOLD_ROWS's defaults. */
  outage?: OutageLimits;
  /** The tenant's running-jobs quota; when given, a job over it is not started (outcome "deferred"). */
  maxRunning?: (tenantId: string) => Promise<number>;
}

export type RunResult =
  | { outcome: "skipped"; status: string }
  | { outcome: "deferred" }
  | { outcome: "succeeded" | "failed" | "cancelled"; step: number }
  | { outcome: "shutdown" | "superseded"; step: number };

async function loadData(db: Db, spec: JobSpec): Promise<DatasetArrays> {
  if ("name" in spec.dataset) {
    if (!isBuiltin(spec.dataset.name)) throw new Error(`unknown built-in data set ${spec.dataset.name}`);
    return loadBuiltin(spec.dataset.name);
  }
  const row = await getDataset(db, spec.dataset.id);
  if (!row) throw new Error(`data set ${spec.dataset.id} no longer exists`);
  return loadDatasetArrays(db, row);
}

/** Holds metric rows and writes them, with progress, at most about once a second (less often during an outage). */
class MetricsBuffer {
  private held: MetricRow[] = [];
  private lastTry = Date.now();
  private waitMs = FLUSH_EVERY_MS;
  cancelRequested = false;
  /** Another attempt of this job took over: write nothing more. */
  superseded = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly attempt: number,
    private readonly totalSteps: number,
    private readonly retry: OutageRetry,
    private readonly holdRows: number,
  ) {}

  add(row: MetricRow): void {
    if (!this.superseded) this.held.push(row);
  }

  due(): boolean {
    return (this.held.length >= FLUSH_EVERY_ROWS && !this.retry.outage) || Date.now() - this.lastTry >= this.waitMs;
  }

  /** So many rows are held that training must wait for the database. */
  full(): boolean {
    return this.held.length >= this.holdRows;
  }

  /** One try; during an outage the rows stay held and the next try backs off (until the outage outlasts its tolerance). */
  async flush(): Promise<void> {
    try {
      await this.write();
      this.retry.recovered();
      this.waitMs = FLUSH_EVERY_MS;
    } catch (err) {
      this.waitMs = this.retry.failed(err);
    }
  }

  /** Writes everything held, waiting out an outage: before a checkpoint, at the end, and when the hold is full. */
  async flushAll(): Promise<void> {
    await this.retry.run(() => this.write());
    this.waitMs = FLUSH_EVERY_MS;
  }

  private async write(): Promise<void> {
    this.lastTry = Date.now();
    const rows = this.held;
    if (rows.length && !this.superseded) {
      if (!(await writeMetricsBatch(this.ctx.db, this.ctx.jobId, this.attempt, rows))) {
        this.superseded = true;
        this.held = [];
        return;
      }
      this.held = this.held.slice(rows.length);
      const { step, epoch } = rows[rows.length - 1];
      // Progress is in the database already; the report is a courtesy to the caller and may fail.
      await this.ctx.reportProgress({ epoch, step, total_steps: this.totalSteps }).catch(() => undefined);
    }
    const job = await getJob(this.ctx.db, this.ctx.jobId);
    if (!job || job.status === "cancelling" || job.status === "cancelled") this.cancelRequested = true;
    if (job && job.attempts !== this.attempt) this.superseded = true;
  }
}

export async function runJob(ctx: RunContext): Promise<RunResult> {
  const { db, jobId, log } = ctx;
  // The job's event log says the worker rode out an outage (best effort: the database has just come back).
  const outage = ctx.outage ?? DEFAULT_OUTAGE_LIMITS;
  const retry = new OutageRetry(outage.toleranceMs, (ms) => {
    log.warn({ outage_ms: ms }, "the database is back; held metrics written");
    void addEvent(db, jobId, "database_outage", { seconds: Math.round(ms / 100) / 10, resolution: "metrics held and written after it" }).catch(() => undefined);
  });
  const job = await retry.run(() => (ctx.maxRunning ? startAttemptWithinQuota(db, jobId, ctx.maxRunning) : startAttempt(db, jobId)));
  if (job === "busy") return { outcome: "deferred" };
  if (!job) {
    // Cancelled while queued, or already finished: nothing to do. A job left in `cancelling` by a
    // worker that died is settled here.
    const current = await retry.run(() => getJob(db, jobId));
    if (current?.status === "cancelling") await retry.run(() => finishJob(db, jobId, "cancelled"));
    log.info({ status: current?.status ?? "missing" }, "job not run: no longer queued");
    return { outcome: "skipped", status: current?.status ?? "missing" };
  }
  const result = await runAttempt(ctx, job, retry, outage.holdRows).catch((err: unknown) => {
    log.error({ err: err instanceof Error ? err.message : String(err) }, "training attempt failed; the job will be retried");
    throw err;
  });
  log.info(result, "training ended");
  return result;
}

/** One attempt at a job the worker has taken: load, train, record. */
async function runAttempt(ctx: RunContext, job: JobRow, retry: OutageRetry, holdRows: number): Promise<RunResult> {
  const { db, jobId, log } = ctx;
  const spec = job.spec as unknown as JobSpec;
  const startedAt = Date.now();
  try {
    const torch = await loadTorch();
    const data = await retry.run(() => loadData(db, spec));
    const resume = await retry.run(async () => {
      const checkpoint = await latestResumable(db, jobId);
      return checkpoint ? { step: checkpoint.step, weights: await readPart(db, checkpoint, "weights"), state: await readPart(db, checkpoint, "state") } : null;
    });
    // Steps after the checkpoint are trained again; their old rows go so the series has no duplicates.
    await retry.run(() => deleteMetricsAfter(db, jobId, resume?.step ?? 0));
    if (resume) await retry.run(() => addEvent(db, jobId, "resumed", { step: resume.step, attempt: job.attempts }));
    log.info({ db_attempt: job.attempts, resume_step: resume?.step ?? null, total_steps: job.totalSteps }, "training started");

    const metrics = new MetricsBuffer(ctx, job.attempts, job.totalSteps, retry, holdRows);
    let lastStep = resume?.step ?? 0;
    const outcome = await train(torch, spec, data, resume, {
      shouldStop(): StopReason | null {
        if (metrics.superseded) return "superseded";
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
          await metrics.flushAll(); // metrics reach the database no later than the checkpoint that covers them
          if (!metrics.superseded) await retry.run(() => saveCheckpoint(db, { jobId, ...c }));
        });
        log.debug({ step: c.step, kind: c.kind }, "checkpoint saved");
      },
      async yieldToEventLoop() {
        if (metrics.full()) await service(() => metrics.flushAll());
        else if (metrics.due()) await service(() => metrics.flush());
        await yieldImmediate();
      },
    }).catch((err: unknown) => {
      // The engine threw while training: the same spec would throw again, so the job fails for good.
      if (err instanceof ServiceError || err instanceof SpecError) throw err;
      throw new SpecError(`training stopped at step ${lastStep + 1}: ${err instanceof Error ? err.message : String(err)}`, "training", "unbuildable");
    });
    await service(() => metrics.flushAll());
    if (metrics.superseded) return { outcome: "superseded", step: outcome.step };
    const finish = (status: "succeeded" | "failed" | "cancelled", error?: string) => service(() => retry.run(() => finishJob(db, jobId, status, error ?? null, job.attempts)));
    const superseded = { outcome: "superseded", step: outcome.step } as const;

    switch (outcome.status) {
      case "succeeded":
        await service(() => retry.run(() => saveCheckpoint(db, { jobId, ...outcome.final })));
        if (!(await finish("succeeded"))) return superseded;
        return { outcome: "succeeded", step: outcome.step };
      case "failed":
        if (!(await finish("failed", outcome.error))) return superseded;
        return { outcome: "failed", step: outcome.step };
      case "stopped": {
        const checkpoint = outcome.checkpoint;
        if (checkpoint && outcome.reason !== "superseded") await service(() => retry.run(() => saveCheckpoint(db, { jobId, ...checkpoint })));
        if (outcome.reason === "superseded") return superseded;
        if (outcome.reason === "shutdown") {
          await service(() => retry.run(() => addEvent(db, jobId, "interrupted", { step: outcome.step, reason: "worker shutting down; the job will resume from this step" })));
          return { outcome: "shutdown", step: outcome.step };
        }
        if (outcome.reason === "timeout") {
          if (!(await finish("failed", `the job ran longer than max_runtime_seconds (${spec.max_runtime_seconds}) and was stopped at step ${outcome.step}`))) return superseded;
          return { outcome: "failed", step: outcome.step };
        }
        if (!(await finish("cancelled"))) return superseded;
        return { outcome: "cancelled", step: outcome.step };
      }
    }
  } catch (err) {
    // A spec the engine refuses, or training that throws, fails for good; anything else (database,
    // engine missing) is rethrown so that BullMQ retries the job from its last checkpoint.
    if (err instanceof SpecError) {
      log.warn({ err: err.message, field: err.field }, "job failed: the engine refused it");
      await retry.run(() => finishJob(db, jobId, "failed", err.field === "training" ? err.message : `${err.field}: ${err.message}`));
      return { outcome: "failed", step: 0 };
    }
    throw err instanceof ServiceError ? err.cause : err;
  }
}
