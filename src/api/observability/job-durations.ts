// How long finished jobs ran (first start to final status), read from the database: every job that
// reached a final status is observed exactly once per API process, whichever worker or API instance
// finished it. Each scrape reads only the jobs finished since the last one, looking back LOOKBACK_MS
// further so that rows written late (a worker's clock behind, a slow commit) are not missed; the ids
// seen within that window are remembered so that none is counted twice.
import type { Db } from "../../store/db.js";
import { TERMINAL_STATUSES } from "../../store/jobs.js";

const LOOKBACK_MS = 5 * 60_000;
const PAGE = 2_000;

export type Observe = (status: string, seconds: number) => void;

export class JobDurationReader {
  /** Latest finishedAt seen, in ms since the epoch (-Infinity before the first read). */
  private watermark = Number.NEGATIVE_INFINITY;
  /** Jobs counted whose finishedAt lies within LOOKBACK_MS of the watermark. */
  private recent = new Map<string, number>();
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  /** Calls observe once for each finished job not seen before. Overlapping calls run one after another. */
  update(observe: Observe): Promise<void> {
    const next = this.running.then(() => this.read(observe));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async read(observe: Observe): Promise<void> {
    const since = Number.isFinite(this.watermark) ? new Date(this.watermark - LOOKBACK_MS) : undefined;
    let cursor: string | undefined;
    for (;;) {
      const rows = await this.db.job.findMany({
        where: { status: { in: [...TERMINAL_STATUSES] }, startedAt: { not: null }, finishedAt: since ? { gte: since } : { not: null } },
        select: { id: true, status: true, startedAt: true, finishedAt: true },
        orderBy: [{ finishedAt: "asc" }, { id: "asc" }],
        take: PAGE,
        ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      });
      for (const row of rows) {
        const finished = row.finishedAt!.getTime();
        if (this.recent.has(row.id)) continue;
        this.recent.set(row.id, finished);
        this.watermark = Math.max(this.watermark, finished);
        observe(row.status, Math.max(0, finished - row.startedAt!.getTime()) / 1000);
      }
      if (rows.length < PAGE) break;
      cursor = rows[rows.length - 1].id;
    }
    for (const [id, finished] of this.recent) if (finished < this.watermark - LOOKBACK_MS) this.recent.delete(id);
  }
}
