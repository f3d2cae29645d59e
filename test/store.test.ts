// The data layer on a real database (TEST_DB selects SQLite or PostgreSQL): chunked checkpoints,
// metrics for polling and resume, job status transitions.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestResumable, listCheckpoints, readPart, saveCheckpoint, sha256Hex } from "../src/store/checkpoints.js";
import { CHUNK_BYTES } from "../src/store/chunks.js";
import { createJob, finishJob, getJob, requestCancel, startAttempt } from "../src/store/jobs.js";
import { deleteMetricsAfter, metricsAfter, writeMetrics, type MetricRow } from "../src/store/metrics.js";
import { eventsAfter } from "../src/store/events.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.cleanup();
});

const newJob = () => createJob(service.db, { spec: { epochs: 1 }, modelId: null, datasetId: null, datasetName: "iris", totalSteps: 10 });

describe(`store (${TEST_DB})`, () => {
  it("stores a checkpoint of several chunks and reads it back byte for byte", async () => {
    const job = await newJob();
    const weights = randomBytes(CHUNK_BYTES * 2 + 123);
    const state = randomBytes(1000);
    const row = await saveCheckpoint(service.db, { jobId: job.id, step: 7, epoch: 1, kind: "step", weights, state });
    expect(row.weightsSha256).toBe(sha256Hex(weights));
    expect(await service.db.checkpointChunk.count({ where: { checkpointId: row.id, part: "weights" } })).toBe(3);
    expect((await readPart(service.db, row, "weights")).equals(weights)).toBe(true);
    expect((await readPart(service.db, row, "state")).equals(state)).toBe(true);
    // Saved again at the same step (after a resume): replaced, not duplicated.
    await saveCheckpoint(service.db, { jobId: job.id, step: 7, epoch: 1, kind: "step", weights: state, state });
    await saveCheckpoint(service.db, { jobId: job.id, step: 9, epoch: 1, kind: "epoch", weights: state, state });
    await saveCheckpoint(service.db, { jobId: job.id, step: 10, epoch: 1, kind: "final", weights: state, state });
    expect((await listCheckpoints(service.db, job.id)).map((c) => [c.step, c.kind])).toEqual([[7, "step"], [9, "epoch"], [10, "final"]]);
    expect((await latestResumable(service.db, job.id))?.step).toBe(9);
  });

  it("serves metrics after a step, and drops the rows past a resume point", async () => {
    const job = await newJob();
    const rows: MetricRow[] = Array.from({ length: 10 }, (_, i) => ({ step: i + 1, epoch: 1, train_loss: 1 / (i + 1), lr: 0.1 }));
    rows[9] = { ...rows[9], val_loss: 0.5, val_accuracy: 0.75 };
    await writeMetrics(service.db, job.id, rows);
    expect((await metricsAfter(service.db, job.id, 0, 3)).map((r) => r.step)).toEqual([1, 2, 3]);
    const tail = await metricsAfter(service.db, job.id, 8, 100);
    expect(tail).toEqual([rows[8], rows[9]]);
    await deleteMetricsAfter(service.db, job.id, 6);
    expect((await metricsAfter(service.db, job.id, 0, 100)).map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(writeMetrics(service.db, job.id, [rows[0]])).rejects.toThrow(); // (job, step) is unique
  });

  it("moves jobs through their statuses, one winner per transition, with events", async () => {
    const queued = await newJob();
    expect(await requestCancel(service.db, queued.id)).toBe("cancelled");
    expect(await startAttempt(service.db, queued.id)).toBeNull();
    expect(await requestCancel(service.db, queued.id)).toEqual({ conflict: "cancelled" });

    const job = await newJob();
    const [a, b] = await Promise.all([startAttempt(service.db, job.id), requestCancel(service.db, job.id)]);
    // Either the worker took it first (then cancel asks it to stop) or the cancel won.
    if (a) expect(b).toBe("cancelling");
    else expect(b).toBe("cancelled");

    const retried = await newJob();
    await startAttempt(service.db, retried.id);
    const again = await startAttempt(service.db, retried.id); // a second worker after the first died
    expect(again?.attempts).toBe(2);
    expect(await finishJob(service.db, retried.id, "succeeded")).toBe(true);
    expect(await finishJob(service.db, retried.id, "failed", "late")).toBe(false);
    const row = await getJob(service.db, retried.id);
    expect(row?.status).toBe("succeeded");
    expect(row?.finishedAt).toBeInstanceOf(Date);
    const events = await eventsAfter(service.db, retried.id, 0);
    expect(events.map((e) => (e.data as { status: string }).status)).toEqual(["queued", "running", "running", "succeeded"]);
  });
});
