// Job specs and checks the fault tests share.
import { expect } from "vitest";
import type { Db } from "../../src/store/db.js";
import type { Json, LiveService } from "../helpers/live-service.js";

/** Iris, 4-8-3, one epoch of 12 steps: a job that costs next to nothing. */
export const tinyJob = (seed = 0): Json => ({
  model: { layers: [{ type: "Linear", in_features: 4, out_features: 8 }, { type: "ReLU" }, { type: "Linear", in_features: 8, out_features: 3 }] },
  dataset: { name: "iris" },
  loss: { type: "CrossEntropyLoss" },
  optimizer: { type: "SGD", lr: 0.05 },
  epochs: 1,
  batch_size: 10,
  seed,
  validation_split: 0.2,
});

/** Iris at batch 2 for many epochs: thousands of small steps, checkpointed often. */
export const longIrisJob = (epochs: number): Json => ({
  ...tinyJob(3),
  optimizer: { type: "Adam", lr: 0.005 },
  lr_scheduler: { type: "StepLR", step_size: 5, gamma: 0.8 },
  epochs,
  batch_size: 2,
  checkpoint_every_steps: 40,
});

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
