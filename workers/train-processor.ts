// BullMQ's sandboxed processor: runs in a child process forked by the worker (src/queue/worker.ts).
// It opens its own database connection (kept for the next job this child runs) and trains one job.
// Its log lines (stdout, piped through the worker's) carry job_id, attempt and the worker's id.
import { DelayedError, WaitingError, type SandboxedJob } from "bullmq";
import pino, { type Logger } from "pino";
import { loadConfig, type Config } from "../src/config.js";
import { LOCK_LOST, type TrainingJobData } from "../src/queue/training-queue.js";
import { workerId } from "../src/queue/worker-stats.js";
import { createDb, type Db } from "../src/store/db.js";
import { limitsOf } from "../src/store/quotas.js";
import { getTenant } from "../src/store/tenants.js";
import { runJob, type RunResult } from "../src/training/job-runner.js";

let db: Db | null = null;
let config: Config | null = null;
let log: Logger | null = null;
/** How long a job waits before it is offered again when its tenant was at its running-jobs quota. */
const QUOTA_RECHECK_MS = 2_000;

// If the worker process dies (kill -9), this child must not train on: another worker resumes the job
// from its last checkpoint, and two runs of one job would write over each other. The checks run on
// the IPC channel closing, every second, before each progress report, and first on any uncaught
// error: BullMQ's own handler reports errors to the (gone) parent, which fails again, and that loop
// of rejections would starve the event loop so that nothing else here ever ran.
const parentPid = process.ppid;
function exitIfOrphaned(): void {
  if (!process.connected || process.ppid !== parentPid) process.exit(1);
}
process.once("disconnect", () => process.exit(1));
process.prependListener("uncaughtException", exitIfOrphaned);
process.prependListener("unhandledRejection", exitIfOrphaned);
setInterval(exitIfOrphaned, 1_000).unref();

export default async function trainProcessor(job: SandboxedJob<TrainingJobData>, token?: string, signal?: AbortSignal): Promise<RunResult> {
  config ??= loadConfig();
  db ??= createDb(config.databaseUrl);
  // The worker process forked this child: its id is the parent's (host:ppid unless WORKER_ID is set).
  log ??= pino({ level: config.logLevel, name: "train" }).child({ worker: workerId(config.workerId, parentPid) });
  const store = db;
  const settings = config;
  const result = await runJob({
    db,
    jobId: job.data.jobId,
    log: log.child({ job_id: job.data.jobId, attempt: job.attemptsStarted }),
    signal,
    outage: { toleranceMs: settings.dbRetryMs, holdRows: settings.metricsHoldRows },
    maxRunning: async (tenantId) => limitsOf(await getTenant(store, tenantId), settings).runningJobs,
    reportProgress: (progress) => {
      exitIfOrphaned();
      return job.updateProgress(progress);
    },
  });
  if (result.outcome === "deferred") {
    // The tenant runs as many jobs as its quota allows: back to the queue (keeping its priority) for a while.
    await job.moveToDelayed(Date.now() + QUOTA_RECHECK_MS, token);
    throw new DelayedError();
  }
  // The worker lost this job's lock (Redis forgot it): the queue entry is not ours to move any more.
  if (result.outcome === "shutdown" && signal?.reason !== LOCK_LOST) {
    // Checkpointed: back to the queue without using up an attempt.
    await job.moveToWait(token);
    throw new WaitingError();
  }
  return result;
}
