// The database is the source of truth for jobs; Redis only holds the queue, and a Redis that keeps
// nothing on disk forgets it on restart. The reconciler puts back every job the database says is
// queued, running or cancelling but the queue no longer has. It is safe to run anywhere and often:
// a queue entry's id is the job id, so two processes (or two runs) adding the same job add it once.
// It runs at start, every RECONCILE_INTERVAL_MS, and whenever the Redis connection comes back.
import type { Logger } from "pino";
import type { Db } from "../store/db.js";
import { finishJob, getJob } from "../store/jobs.js";
import type { TrainingQueue } from "./training-queue.js";

const PAGE = 500;
const UNFINISHED = ["queued", "running", "cancelling"];

export interface ReconcileReport {
  /** Unfinished jobs in the database. */
  checked: number;
  /** Jobs the queue had lost and now has again. */
  enqueued: string[];
  /** Jobs the queue had given up on (out of attempts) while the database could not be told: now failed there too. */
  failed: string[];
}

export async function reconcile(db: Db, queue: TrainingQueue): Promise<ReconcileReport> {
  const report: ReconcileReport = { checked: 0, enqueued: [], failed: [] };
  let cursor: string | undefined;
  for (;;) {
    const page = await db.job.findMany({
      where: { status: { in: UNFINISHED } },
      select: { id: true },
      orderBy: { id: "asc" },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    if (page.length === 0) return report;
    cursor = page[page.length - 1].id;
    report.checked += page.length;
    const states = await Promise.all(page.map(({ id }) => queue.queue.getJobState(id)));
    for (const [i, { id }] of page.entries()) {
      const state = states[i];
      if (state === "unknown") {
        // Looked up again: the job may have finished (and left the queue) since the page was read.
        const job = await getJob(db, id);
        if (job && UNFINISHED.includes(job.status)) {
          await queue.enqueue(id, job.priority);
          report.enqueued.push(id);
        }
      } else if (state === "failed") {
        const entry = await queue.queue.getJob(id);
        if (await finishJob(db, id, "failed", entry?.failedReason || "the job failed and could not be retried")) report.failed.push(id);
      }
    }
  }
}

export interface ReconcilerHandle {
  /** One pass now (after any pass already running). */
  run(): Promise<ReconcileReport | null>;
  stop(): void;
}

/** Reconciles now, every `intervalMs`, and each time the queue's Redis connection is ready again. */
export function startReconciler(db: Db, queue: TrainingQueue, log: Logger, intervalMs: number): ReconcilerHandle {
  let running: Promise<ReconcileReport | null> = Promise.resolve(null);
  let stopped = false;
  const run = () => {
    running = running.then(async () => {
      if (stopped) return null;
      try {
        const report = await reconcile(db, queue);
        if (report.enqueued.length || report.failed.length) log.warn({ enqueued: report.enqueued, failed: report.failed, checked: report.checked }, "reconciled the queue with the database");
        return report;
      } catch (err) {
        // The database or Redis is away: the next pass (timer or reconnect) tries again.
        log.warn({ err: (err as Error).message }, "could not reconcile the queue");
        return null;
      }
    });
    return running;
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  const offReconnect = queue.onReconnect(() => void run());
  void run();
  return {
    run,
    stop() {
      stopped = true;
      clearInterval(timer);
      offReconnect();
    },
  };
}
