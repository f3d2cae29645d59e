// A worker process: a BullMQ worker whose processor runs in a separate child process
// (workers/train-processor), so training never blocks this process's event loop and the job lock is
// always renewed. SIGTERM asks every running job to checkpoint and step back into the queue, then exits.
import { Worker } from "bullmq";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Db } from "../store/db.js";
import { finishJob } from "../store/jobs.js";
import { LOCK_LOST, QUEUE_NAME, redisConnection, type TrainingJobData } from "./training-queue.js";

const here = fileURLToPath(import.meta.url);
/** The processor file next to this build: workers/train-processor.ts from source, .js from dist. */
export const PROCESSOR_FILE = path.resolve(path.dirname(here), "../../workers", `train-processor${path.extname(here)}`);

export interface WorkerHandle {
  worker: Worker<TrainingJobData>;
  /** Checkpoint running jobs, put them back in the queue, close. */
  shutdown(): Promise<void>;
}

export function startWorker(config: Config, db: Db, log: Logger): WorkerHandle {
  const connection = redisConnection(config);
  const worker = new Worker<TrainingJobData>(QUEUE_NAME, PROCESSOR_FILE, {
    connection,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    useWorkerThreads: false,
    // A job whose worker died (lock not renewed) goes back to the queue; it resumes from its last checkpoint.
    stalledInterval: config.stalledIntervalMs,
    lockDuration: config.stalledIntervalMs,
    maxStalledCount: config.jobAttempts,
  });
  worker.on("active", (job) => log.info({ jobId: job.data.jobId }, "job started"));
  worker.on("completed", (job, result) => log.info({ jobId: job.data.jobId, result }, "job done"));
  worker.on("failed", (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than allowable limit/.test(err.message);
    log.error({ jobId: job.data.jobId, err: err.message, attempt: job.attemptsMade, final }, "job attempt failed");
    // Out of retries: the database must say so too.
    if (final || err.name === "UnrecoverableError") void finishJob(db, job.data.jobId, "failed", err.message).catch((e) => log.error({ err: e }, "could not mark job failed"));
  });
  worker.on("error", (err) => log.error({ err: err.message }, "worker error"));
  // The queue no longer knows this worker holds the job (Redis lost it, or it went to another worker):
  // stop it at a checkpoint; the reconciler or the stalled check hands it out again, and the attempt
  // fence (store/metrics.ts) keeps this run from writing over the next.
  worker.on("lockRenewalFailed", (jobIds) => {
    for (const id of jobIds) {
      log.warn({ jobId: id }, "lost the job's lock; stopping it at a checkpoint");
      worker.cancelJob(id, LOCK_LOST);
    }
  });

  let closing: Promise<void> | null = null;
  return {
    worker,
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
        connection.disconnect();
      })();
      return closing;
    },
  };
}
