// BullMQ's sandboxed processor: runs in a child process forked by the worker (src/queue/worker.ts).
// It opens its own database connection (kept for the next job this child runs) and trains one job.
import { WaitingError, type SandboxedJob } from "bullmq";
import { loadConfig } from "../src/config.js";
import type { TrainingJobData } from "../src/queue/training-queue.js";
import { createDb, type Db } from "../src/store/db.js";
import { runJob, type RunResult } from "../src/training/job-runner.js";

let db: Db | null = null;

// If the worker process dies (kill -9), this child must not train on: another worker resumes the job
// from its last checkpoint, and two runs of one job would write over each other. Training yields to
// the event loop after every step, so these fire within a step (or a second).
const parentPid = process.ppid;
process.once("disconnect", () => process.exit(1));
setInterval(() => {
  if (!process.connected || process.ppid !== parentPid) process.exit(1);
}, 1_000).unref();

export default async function trainProcessor(job: SandboxedJob<TrainingJobData>, token?: string, signal?: AbortSignal): Promise<RunResult> {
  db ??= createDb(loadConfig().databaseUrl);
  const result = await runJob({
    db,
    jobId: job.data.jobId,
    signal,
    reportProgress: (progress) => job.updateProgress(progress),
  });
  if (result.outcome === "shutdown") {
    // Checkpointed: back to the queue without using up an attempt.
    await job.moveToWait(token);
    throw new WaitingError();
  }
  return result;
}
