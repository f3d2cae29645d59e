// BullMQ's sandboxed processor: runs in a child process forked by the worker (src/queue/worker.ts).
// It opens its own database connection (kept for the next job this child runs) and trains one job.
import { WaitingError, type SandboxedJob } from "bullmq";
import { loadConfig } from "../src/config.js";
import { LOCK_LOST, type TrainingJobData } from "../src/queue/training-queue.js";
import { createDb, type Db } from "../src/store/db.js";
import { runJob, type RunResult } from "../src/training/job-runner.js";

let db: Db | null = null;
const config = loadConfig();

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
  db ??= createDb(config.databaseUrl);
  const result = await runJob({
    db,
    jobId: job.data.jobId,
    signal,
    outage: { toleranceMs: config.dbRetryMs, holdRows: config.metricsHoldRows },
    // Progress lives in the database. It is not copied to the queue entry: when Redis loses the entry
    // (a restart), BullMQ's parent fails the whole attempt on that update and hands this still busy
    // child to the next job.
    reportProgress: async () => exitIfOrphaned(),
  });
  // The worker lost this job's lock (Redis forgot it): the queue entry is not ours to move any more.
  if (result.outcome === "shutdown" && signal?.reason !== LOCK_LOST) {
    // Checkpointed: back to the queue without using up an attempt.
    await job.moveToWait(token);
    throw new WaitingError();
  }
  return result;
}
