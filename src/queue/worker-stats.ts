// Live figures of each worker process (training steps/s, jobs in hand), shared through Redis so that
// any API instance can export them on /metrics. Every worker keeps one hash, rewritten on each
// progress report and on a heartbeat, that expires when the worker stops refreshing it (a dead
// worker drops out on its own).
import { hostname } from "node:os";
import type { Redis } from "ioredis";

export const HEARTBEAT_MS = 5_000;
/** A worker's hash outlives three missed heartbeats, no more. */
export const STATS_TTL_MS = 3 * HEARTBEAT_MS;
/** Steps/s is measured over the progress reports of this last window. */
const RATE_WINDOW_MS = 10_000;

/** The worker's name in logs and metrics: WORKER_ID, or host:pid of the worker process. */
export function workerId(configured: string | undefined, pid = process.pid): string {
  return configured || `${hostname()}:${pid}`;
}

const keyPrefix = (queuePrefix: string) => `${queuePrefix}:worker-stats:`;

/** Steps per second of each job a worker runs, from the step numbers its progress reports carry. */
export class StepRates {
  private readonly samples = new Map<string, { step: number; at: number }[]>();

  record(jobId: string, step: number, at = Date.now()): void {
    let list = this.samples.get(jobId);
    // A job resumed from a checkpoint starts again from an earlier step: measure afresh.
    if (!list || (list.length && step < list[list.length - 1].step)) this.samples.set(jobId, (list = []));
    list.push({ step, at });
    while (list.length > 2 && at - list[0].at > RATE_WINDOW_MS) list.shift();
  }

  forget(jobId: string): void {
    this.samples.delete(jobId);
  }

  /** The sum over the worker's jobs; a job that has reported nothing within the window counts 0. */
  total(now = Date.now()): number {
    let sum = 0;
    for (const list of this.samples.values()) {
      const first = list[0];
      const last = list[list.length - 1];
      if (list.length < 2 || now - last.at > RATE_WINDOW_MS || last.at <= first.at) continue;
      sum += ((last.step - first.step) * 1000) / (last.at - first.at);
    }
    return sum;
  }
}

export interface WorkerStats {
  worker: string;
  stepsPerSecond: number;
  activeJobs: number;
}

/** Writes one worker's figures to Redis: now, on every change, and every HEARTBEAT_MS until stopped. */
export class WorkerStatsPublisher {
  private readonly key: string;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    queuePrefix: string,
    private readonly id: string,
    private readonly read: () => { stepsPerSecond: number; activeJobs: number },
    private readonly onError: (err: Error) => void,
  ) {
    this.key = keyPrefix(queuePrefix) + id;
    this.timer = setInterval(() => this.publish(), HEARTBEAT_MS);
    this.timer.unref();
    this.publish();
  }

  publish(): void {
    const { stepsPerSecond, activeJobs } = this.read();
    this.redis
      .multi()
      .hset(this.key, { steps_per_second: String(stepsPerSecond), active_jobs: String(activeJobs), updated_at: String(Date.now()) })
      .pexpire(this.key, STATS_TTL_MS)
      .exec()
      .catch(this.onError);
  }

  /** The worker is going away: its figures go with it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(this.key).catch(this.onError);
  }
}

const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, "\\$&");

/** Every live worker's figures (those whose hash has not expired). */
export async function readWorkerStats(redis: Redis, queuePrefix: string): Promise<WorkerStats[]> {
  const prefix = keyPrefix(queuePrefix);
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${globEscape(prefix)}*`, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hgetall(key);
  const replies = (await pipeline.exec()) ?? [];
  const stats: WorkerStats[] = [];
  replies.forEach(([err, hash], i) => {
    const h = hash as Record<string, string> | null;
    // Expired between SCAN and HGETALL: an empty hash.
    if (err || !h || h.steps_per_second === undefined) return;
    stats.push({ worker: keys[i].slice(prefix.length), stepsPerSecond: Number(h.steps_per_second), activeJobs: Number(h.active_jobs ?? 0) });
  });
  // SCAN may name a key twice.
  return [...new Map(stats.map((s) => [s.worker, s])).values()].sort((a, b) => a.worker.localeCompare(b.worker));
}
