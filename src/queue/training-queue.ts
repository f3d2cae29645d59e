// The BullMQ queue that hands jobs to workers. A queue entry carries only the job id (the job row in
// the database is the source of truth) and uses it as BullMQ's job id, so a job is queued at most once.
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Config } from "../config.js";
import { readWorkerStats, type WorkerStats } from "./worker-stats.js";
import { DEFAULT_PRIORITY } from "../store/jobs.js";

export const QUEUE_NAME = "training";
const ENQUEUE_TIMEOUT_MS = 5_000;

/** The reason a running job is cancelled with when its worker lost the job's lock (workers/train-processor). */
export const LOCK_LOST = "lock lost";

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

  /**
   * Adds the job, or fails after ENQUEUE_TIMEOUT_MS: while Redis is away the connection holds commands
   * until it is back, and a request must not hang that long. An add that completes later anyway is
   * harmless (a worker skips a job whose row is gone; the reconciler adds what is missing).
   * `priority`: 1 is taken first, larger later (BullMQ's order); every job gets one, so all share one ordering.
   */
  async enqueue(jobId: string, priority = DEFAULT_PRIORITY): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.add(jobId, priority), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async add(jobId: string, priority: number): Promise<void> {
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

  /** Calls `listener` each time the Redis connection is ready again after it was lost (not on the first connect); returns an unsubscribe. */
  onReconnect(listener: () => void): () => void {
    let connectedBefore = this.connection.status === "ready";
    const onReady = () => {
      if (connectedBefore) listener();
      connectedBefore = true;
    };
    this.connection.on("ready", onReady);
    return () => this.connection.off("ready", onReady);
  }

  async ping(): Promise<void> {
    await this.connection.ping();
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.connection.disconnect();
  }
}
