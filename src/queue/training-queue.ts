// The BullMQ queue that hands jobs to workers. A queue entry carries only the job id (the job row in
// the database is the source of truth) and uses it as BullMQ's job id, so a job is queued at most once.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Config } from "../config.js";
import { readWorkerStats, type WorkerStats } from "./worker-stats.js";
import { DEFAULT_PRIORITY } from "../store/jobs.js";

export const QUEUE_NAME = "training";

export interface TrainingJobData {
  jobId: string;
}

/** BullMQ needs maxRetriesPerRequest null on its connections (blocking commands). */
export function redisConnection(config: Pick<Config, "redisUrl">): Redis {
  return new Redis(config.redisUrl, { maxRetriesPerRequest: null });
}

export class TrainingQueue {
  readonly queue: Queue<TrainingJobData>;
  private readonly connection: Redis;

  constructor(private readonly config: Pick<Config, "redisUrl" | "queuePrefix" | "jobAttempts">) {
    this.connection = redisConnection(config);
    this.queue = new Queue<TrainingJobData>(QUEUE_NAME, { connection: this.connection, prefix: config.queuePrefix });
  }

  /** `priority`: 1 is taken first, larger later (BullMQ's order); every job gets one, so all share one ordering. */
  async enqueue(jobId: string, priority = DEFAULT_PRIORITY): Promise<void> {
    await this.queue.add(
      "train",
      { jobId },
      {
        jobId,
        priority,
        attempts: this.config.jobAttempts,
        backoff: { type: "fixed", delay: 1_000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 1000 },
      },
    );
  }

  /** Takes a job that has not started out of the queue; a job already on a worker stays (the worker sees its status). */
  async removeWaiting(jobId: string): Promise<void> {
    const job = await this.queue.getJob(jobId);
    if (job && ["waiting", "prioritized", "delayed"].includes(await job.getState())) await job.remove().catch(() => undefined);
  }

  /** The figures each live worker keeps in Redis (steps/s, jobs in hand). */
  workerStats(): Promise<WorkerStats[]> {
    return readWorkerStats(this.connection, this.config.queuePrefix);
  }

  async ping(): Promise<void> {
    await this.connection.ping();
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
