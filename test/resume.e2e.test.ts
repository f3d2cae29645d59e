// Workers that stop: cancel within a running job; a worker killed with SIGKILL and another stopped
// with SIGTERM mid-job. The job resumes from its last checkpoint each time, its metrics have no gaps
// or duplicates, and its final weights are byte for byte those of an uninterrupted run.
import { beforeAll, describe, expect, it } from "vitest";
import { encode } from "../src/datasets/safetensors.js";
import { TEST_DB } from "./helpers/service.js";
import { useLiveService, type Json } from "./helpers/live-service.js";
import { processesFor, waitFor } from "./helpers/worker-process.js";

const live = useLiveService({ pollMs: 100 });
const { api, job, untilStatus, untilStep, allMetrics } = live;
const worker = () => live.worker();

const weightsSha = async (id: string) => (await fetch(`${live.base}/v1/jobs/${id}/weights`)).headers.get("x-checksum-sha256");

// A synthetic classification set: 2,000 rows of 32 features from a fixed formula, 4 classes.
function syntheticDataset(): Buffer {
  const n = 2000;
  const f = 32;
  const x = new Float32Array(n * f);
  const y = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < f; j++) {
      const v = Math.sin(i * 0.37 + j * 1.3) + Math.cos(i * 0.011 * (j + 1));
      x[i * f + j] = v;
      s += v * ((j % 3) - 1);
    }
    y[i] = BigInt(((Math.round(s * 10) % 4) + 4) % 4);
  }
  return encode([["x", { dtype: "float32", shape: [n, f], data: x }], ["y", { dtype: "int64", shape: [n], data: y }]]);
}

describe(`workers that stop (${TEST_DB})`, () => {
  let spec: Json;
  let reference: { id: string; sha: string | null; metrics: Json[] };

  beforeAll(async () => {
    const res = await fetch(`${live.base}/v1/datasets?name=synthetic`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: syntheticDataset() });
    expect(res.status).toBe(201);
    const dataset = (await res.json()) as Json;
    spec = {
      model: { layers: [{ type: "Linear", in_features: 32, out_features: 64 }, { type: "ReLU" }, { type: "Dropout", p: 0.2 }, { type: "Linear", in_features: 64, out_features: 4 }] },
      dataset: { id: dataset.id },
      loss: { type: "CrossEntropyLoss" },
      optimizer: { type: "Adam", lr: 0.001 },
      lr_scheduler: { type: "StepLR", step_size: 2, gamma: 0.5 },
      epochs: 5,
      batch_size: 10,
      seed: 7,
      validation_split: 0.1,
      checkpoint_every_steps: 25,
    };
  });

  it("an uninterrupted run (the reference)", async () => {
    const w = worker();
    const submitted = await api("POST", "/v1/jobs", spec);
    expect(submitted.status).toBe(202);
    const done = await untilStatus(submitted.body.id, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBe(1);
    reference = { id: done.id, sha: await weightsSha(done.id), metrics: await allMetrics(done.id) };
    expect(reference.metrics.map((r: Json) => r.step)).toEqual(Array.from({ length: 5 * 180 }, (_, i) => i + 1));
    w.process.kill("SIGTERM");
    expect(await w.exited).toBe(0);
  }, 300_000);

  it("SIGKILL, then SIGTERM, mid-job: resumed twice, same metrics and byte-identical weights", async () => {
    const first = worker();
    const submitted = await api("POST", "/v1/jobs", spec);
    await untilStep(submitted.body.id, 200);
    const trainingChild = processesFor(live.service.config.queuePrefix).find((p) => p.ppid === first.process.pid);
    expect(trainingChild).toBeDefined();
    first.process.kill("SIGKILL");
    await first.exited;
    // Its training child stops too: it must not write over the resumed run.
    await waitFor("the killed worker's training child to exit", async () => (processesFor(live.service.config.queuePrefix).some((p) => p.pid === trainingChild!.pid) ? undefined : true), 10_000);

    const second = worker(); // picks the job up once its lock expires
    const resumed = await waitFor("the job to resume", async () => {
      const j = await job(submitted.body.id);
      return j.attempts === 2 && j.progress.step >= 450 ? j : undefined;
    }, 240_000, 50);
    expect(resumed.status).toBe("running");
    second.process.kill("SIGTERM");
    // It checkpointed and handed the job back: exit 0, as opposed to 1 when its jobs had not
    // checkpointed within SHUTDOWN_GRACE_MS (the documented bound, 30 s by default).
    expect(await second.exited).toBe(0);
    const interrupted = await live.service.db.event.findMany({ where: { jobId: submitted.body.id, type: "interrupted" } });
    expect(interrupted).toHaveLength(1);
    const stoppedAt = (interrupted[0].data as { step: number }).step;
    const checkpointSteps = (await api("GET", `/v1/jobs/${submitted.body.id}/checkpoints`)).body.checkpoints.map((c: Json) => c.step);
    expect(checkpointSteps).toContain(stoppedAt);
    expect(stoppedAt).toBeGreaterThanOrEqual(450);

    worker();
    const done = await untilStatus(submitted.body.id, ["succeeded", "failed"]);
    expect(done.error).toBeNull();
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBe(3);
    const metrics = await allMetrics(done.id);
    expect(metrics.map((r: Json) => r.step)).toEqual(Array.from({ length: 5 * 180 }, (_, i) => i + 1)); // no gap, no duplicate
    expect(metrics).toEqual(reference.metrics);
    expect(await weightsSha(done.id)).toBe(reference.sha);
  }, 300_000);

  it("cancel stops a running job and keeps its checkpoints", async () => {
    const submitted = await api("POST", "/v1/jobs", spec);
    await untilStep(submitted.body.id, 60);
    const cancel = await api("POST", `/v1/jobs/${submitted.body.id}/cancel`);
    expect(cancel.status).toBe(202);
    expect(["cancelling", "cancelled"]).toContain(cancel.body.status);
    const done = await untilStatus(submitted.body.id, ["cancelled", "succeeded", "failed"], 30_000);
    expect(done.status).toBe("cancelled");
    expect(done.progress.step).toBeLessThan(5 * 180);
    const checkpoints = (await api("GET", `/v1/jobs/${done.id}/checkpoints`)).body.checkpoints;
    expect(checkpoints.length).toBeGreaterThan(0);
    expect((await fetch(`${live.base}/v1/jobs/${done.id}/weights`)).status).toBe(409);
  }, 120_000);
});
