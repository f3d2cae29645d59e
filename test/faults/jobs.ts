// Job specs and checks the fault tests share.
import { expect } from "vitest";
import type { Db } from "../../src/store/db.js";
import type { Json, LiveService } from "../helpers/live-service.js";

export { longIrisJob, tinyJob } from "../helpers/job-specs.js";

export const weightsSha = async (live: LiveService, id: string) => (await fetch(`${live.base}/v1/jobs/${id}/weights`)).headers.get("x-checksum-sha256");

/** The job's metric series is steps 1..total_steps, each once. */
export async function expectCompleteMetrics(live: LiveService, job: Json): Promise<Json[]> {
  const rows = await live.allMetrics(job.id);
  expect(rows.map((r: Json) => r.step)).toEqual(Array.from({ length: job.progress.total_steps }, (_, i) => i + 1));
  return rows;
}

/** Status events of one job, from the database: how often it started and how often it ended. */
export async function statusHistory(db: Db, jobId: string): Promise<{ running: number; terminal: string[] }> {
  const events = await db.event.findMany({ where: { jobId, type: "status" }, orderBy: { id: "asc" } });
  const statuses = events.map((e) => (e.data as { status: string }).status);
  return { running: statuses.filter((s) => s === "running").length, terminal: statuses.filter((s) => ["succeeded", "failed", "cancelled"].includes(s)) };
}
