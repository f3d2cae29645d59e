// Operators' view of a real worker process training a job: its steps/s reach the API's /metrics
// (through the worker's Redis hash), the job's run time lands in the duration histogram once it ends,
// and every line the worker and its training child log about the job carries job_id, attempt and
// the worker's id.
import { describe, expect, it } from "vitest";
import { useLiveService } from "./helpers/live-service.js";
import { parseMetrics, sampleValue, type Sample } from "./helpers/prometheus.js";
import { TEST_DB } from "./helpers/service.js";
import { waitFor } from "./helpers/worker-process.js";

const live = useLiveService();
const WORKER = "ops-test-worker";

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${live.base}/metrics`);
  expect(res.status).toBe(200);
  return parseMetrics(await res.text());
}

describe(`operators' view of a training worker (${TEST_DB})`, () => {
  it("exports the worker's steps/s while it trains, the job's duration once it ends, and logs job_id on its lines", async () => {
    const worker = live.worker({ WORKER_ID: WORKER, LOG_LEVEL: "info" });
    const before = await scrape();
    const cancelledBefore = sampleValue(before, "trainyard_job_duration_seconds_count", { status: "cancelled" }) ?? 0;
    // Long enough (80,000 steps) to be cancelled while it trains.
    const { status, body } = await live.api("POST", "/v1/jobs", {
      model: { layers: [{ type: "Linear", in_features: 4, out_features: 16 }, { type: "ReLU" }, { type: "Linear", in_features: 16, out_features: 3 }] },
      dataset: { name: "iris" },
      loss: { type: "CrossEntropyLoss" },
      optimizer: { type: "SGD", lr: 0.05 },
      epochs: 10_000,
      batch_size: 16,
      validation_split: 0.2,
    });
    expect(status, JSON.stringify(body)).toBe(202);
    const id = body.id as string;

    const training = await waitFor("the worker's steps/s on /metrics", async () => {
      const samples = await scrape();
      return (sampleValue(samples, "trainyard_worker_training_steps_per_second", { worker: WORKER }) ?? 0) > 0 ? samples : undefined;
    }, 120_000, 250);
    expect(sampleValue(training, "trainyard_worker_active_jobs", { worker: WORKER })).toBe(1);
    expect(sampleValue(training, "trainyard_jobs", { status: "running" })).toBe(1);
    expect(sampleValue(training, "trainyard_queue_jobs", { state: "active" })).toBe(1);

    expect((await live.api("POST", `/v1/jobs/${id}/cancel`)).status).toBe(202);
    await live.untilStatus(id, ["cancelled"]);
    const ended = await waitFor("the worker to report it idle", async () => {
      const samples = await scrape();
      return sampleValue(samples, "trainyard_worker_active_jobs", { worker: WORKER }) === 0 ? samples : undefined;
    }, 30_000, 250);
    expect(sampleValue(ended, "trainyard_worker_training_steps_per_second", { worker: WORKER })).toBe(0);
    expect(sampleValue(ended, "trainyard_job_duration_seconds_count", { status: "cancelled" })).toBe(cancelledBefore + 1);

    worker.process.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    // A worker that stopped takes its figures with it.
    expect(sampleValue(await scrape(), "trainyard_worker_active_jobs", { worker: WORKER })).toBeUndefined();

    const lines = worker.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    const aboutJob = lines.filter((l) => JSON.stringify(l).includes(id));
    for (const line of aboutJob) {
      expect(line.job_id, JSON.stringify(line)).toBe(id);
      expect(line.worker, JSON.stringify(line)).toBe(WORKER);
      expect(line.attempt, JSON.stringify(line)).toBe(1);
    }
    const messages = aboutJob.map((l) => `${l.name}: ${l.msg}`);
    for (const expected of ["worker: job started", "train: training started", "train: training ended", "worker: job done"]) expect(messages).toContain(expected);
    expect(aboutJob.find((l) => l.msg === "training ended")).toMatchObject({ outcome: "cancelled" });
  }, 240_000);
});
