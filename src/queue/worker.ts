// A worker process: a BullMQ worker whose processor runs in a separate child process
// (workers/train-processor), so training never blocks this process's event loop and the job lock is
// always renewed. SIGTERM asks every running job to checkpoint and step back into the queue, then exits.
// Every log line about a job carries job_id, attempt and worker; the worker's steps/s go to Redis
// (worker-stats.ts) for the API's /metrics.
import { Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Db } from "../store/db.js";
import { finishJob } from "../store/jobs.js";
import { LOCK_LOST, QUEUE_NAME, redisConnection, type TrainingJobData } from "./training-queue.js";
import { StepRates, WorkerStatsPublisher, workerId } from "./worker-stats.js";

const here = fileURLToPath(import.meta.url);
/** The processor file next to this build: workers/train-processor.ts from source, .js from dist. */
export const PROCESSOR_FILE = path.resolve(path.dirname(here), "../../workers", `train-processor${path.extname(here)}`);

export interface WorkerHandle {
  worker: Worker<TrainingJobData>;
  /** This worker's name in logs and metrics (WORKER_ID, or host:pid). */
  id: string;
  /** Checkpoint running jobs, put them back in the queue, close. */
  shutdown(): Promise<void>;
}

export function startWorker(config: Config, db: Db, log: Logger): WorkerHandle {
  const id = workerId(config.workerId);
  const connection = redisConnection(config);
  const worker = new Worker<TrainingJobData>(QUEUE_NAME, PROCESSOR_FILE, {
    connection,
    prefix: config.queuePrefix,
    name: id,
    concurrency: config.workerConcurrency,
    useWorkerThreads: false,
    // A job whose worker died (lock not renewed) goes back to the queue; it resumes from its last checkpoint.
    stalledInterval: config.stalledIntervalMs,
    lockDuration: config.stalledIntervalMs,
    maxStalledCount: config.jobAttempts,
  });
  const jobLog = (job: Job<TrainingJobData>) => log.child({ job_id: job.data.jobId, attempt: job.attemptsStarted, worker: id });

  const rates = new StepRates();
  const active = new Set<string>();
  // Plain commands only, and they give up when Redis is away (the worker's own connection waits forever).
  const statsConnection = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
  const stats = new WorkerStatsPublisher(statsConnection, config.queuePrefix, id, () => ({ stepsPerSecond: rates.total(), activeJobs: active.size }), (err) =>
    log.warn({ err: err.message, worker: id }, "could not publish worker stats"),
  );
  const settled = (job: Job<TrainingJobData>) => {
    active.delete(job.data.jobId);
    rates.forget(job.data.jobId);
    stats.publish();
  };

  worker.on("active", (job) => {
    // Progress reports are best effort. Were the entry gone from Redis (a restart), BullMQ's sandbox
    // would fail the attempt on the report and hand its still busy child to the next job; instead the
    // lost lock stops the job (below) and the reconciler puts it back.
    const updateProgress = job.updateProgress.bind(job);
    job.updateProgress = (progress) => updateProgress(progress).catch((err: Error) => jobLog(job).warn({ err: err.message }, "progress not recorded in the queue"));
    active.add(job.data.jobId);
    stats.publish();
    jobLog(job).info("job started");
  });
  worker.on("progress", (job, progress) => {
    const step = (progress as { step?: unknown }).step;
    if (typeof step !== "number") return;
    rates.record(job.data.jobId, step);
    stats.publish();
    jobLog(job).debug({ progress }, "job progress");
  });
  worker.on("completed", (job, result) => {
    settled(job);
    jobLog(job).info({ result }, "job done");
  });
  worker.on("failed", (job, err) => {
    if (!job) return;
    settled(job);
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than allowable limit/.test(err.message);
    const logger = jobLog(job);
    logger.error({ err: err.message, final }, "job attempt failed");
    // Out of retries: the database must say so too.
    if (final || err.name === "UnrecoverableError") void finishJob(db, job.data.jobId, "failed", err.message).catch((e) => logger.error({ err: e }, "could not mark job failed"));
  });
  worker.on("error", (err) => log.error({ err: err.message, worker: id }, "worker error"));
  // The queue no longer knows this worker holds the job (Redis lost it, or it went to another worker):
  // stop it at a checkpoint; the reconciler or the stalled check hands it out again, and the attempt
  // fence (store/metrics.ts) keeps this run from writing over the next.
  worker.on("lockRenewalFailed", (jobIds) => {
    for (const jobId of jobIds) {
      log.warn({ job_id: jobId, worker: id }, "lost the job's lock; stopping it at a checkpoint");
      worker.cancelJob(jobId, LOCK_LOST);
    }
  });

  let closing: Promise<void> | null = null;
  return {
    worker,
    id,
    shutdown() {
      closing ??= (async () => {
        worker.cancelAllJobs("shutdown");
        // Running jobs checkpoint at their next step; a step that outlasts the grace period is given
        // up on (the job's lock expires and another worker resumes it from its last checkpoint).
        const grace = setTimeout(() => {
          log.error({ graceMs: config.shutdownGraceMs }, "jobs did not checkpoint within SHUTDOWN_GRACE_MS; exiting anyway");
          process.exit(1);
        }, config.shutdownGraceMs);
        grace.unref();
        await worker.close();
        clearTimeout(grace);
        await stats.stop();
        statsConnection.disconnect();
        connection.disconnect();
      })();
      return closing;
    },
  };
}
