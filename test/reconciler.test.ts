// Keeping the queue and the database in step (TEST_DB selects SQLite or PostgreSQL; real Redis): the
// reconciler, the attempt fence on metric writes and final statuses, and the classification of
// database errors as "unreachable".
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile } from "../src/queue/reconciler.js";
import { createJob, finishJob, getJob, startAttempt } from "../src/store/jobs.js";
import { metricsAfter, writeMetricsBatch, type MetricRow } from "../src/store/metrics.js";
import { isDatabaseUnavailable } from "../src/store/unavailable.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.cleanup();
});

const newJob = () => createJob(service.db, { spec: { epochs: 1 }, modelId: null, datasetId: null, datasetName: "iris", totalSteps: 10 });
const rows = (from: number, to: number): MetricRow[] => Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i, epoch: 1, train_loss: 1 / (from + i), lr: 0.1 }));

describe(`reconciler (${TEST_DB})`, () => {
  it("enqueues each unfinished job the queue lacks once, however many reconcilers run", async () => {
    const lost = [await newJob(), await newJob(), await newJob()];
    const enqueued = await newJob();
    await service.queue.enqueue(enqueued.id);
    const done = await newJob();
    await finishJob(service.db, done.id, "cancelled");
    const reports = await Promise.all([reconcile(service.db, service.queue), reconcile(service.db, service.queue), reconcile(service.db, service.queue)]);
    for (const r of reports) expect(r.checked).toBe(4);
    expect(new Set(reports.flatMap((r) => r.enqueued))).toEqual(new Set(lost.map((j) => j.id)));
    const waiting = await service.queue.queue.getJobs(["waiting", "prioritized"]);
    expect(waiting.map((j) => j.id).sort()).toEqual([...lost, enqueued].map((j) => j.id).sort());
    expect((await reconcile(service.db, service.queue)).enqueued).toEqual([]);
    await service.queue.queue.obliterate({ force: true });
  });

  it("marks failed a job the queue gave up on while the database still says running", async () => {
    const job = await newJob();
    await startAttempt(service.db, job.id);
    await service.queue.queue.add("train", { jobId: job.id }, { jobId: job.id, attempts: 1 });
    // A worker out of attempts whose database write did not get through: the queue has it failed.
    const worker = new Worker(service.queue.queue.name, async () => {
      throw new Error("job stalled more than allowable limit");
    }, { connection: new Redis(service.config.redisUrl, { maxRetriesPerRequest: null }), prefix: service.config.queuePrefix });
    for (let i = 0; i < 200 && (await service.queue.queue.getJobState(job.id)) !== "failed"; i++) await new Promise((r) => setTimeout(r, 50));
    await worker.close();
    await worker.disconnect();
    expect(await service.queue.queue.getJobState(job.id)).toBe("failed");
    const report = await reconcile(service.db, service.queue);
    expect(report.failed).toEqual([job.id]);
    const row = await getJob(service.db, job.id);
    expect(row?.status).toBe("failed");
    expect(row?.error).toMatch(/stalled more than allowable limit/);
    await service.queue.queue.obliterate({ force: true });
  });
});

describe(`the attempt fence (${TEST_DB})`, () => {
  it("writes metrics idempotently, only for the job's current attempt", async () => {
    const job = await newJob();
    await startAttempt(service.db, job.id);
    expect(await writeMetricsBatch(service.db, job.id, 1, rows(1, 3))).toBe(true);
    expect(await writeMetricsBatch(service.db, job.id, 1, rows(1, 3))).toBe(true); // a retry after a lost reply
    expect((await metricsAfter(service.db, job.id, 0, 100)).map((r) => r.step)).toEqual([1, 2, 3]);
    expect((await getJob(service.db, job.id))?.step).toBe(3);
    await startAttempt(service.db, job.id); // another worker took the job over
    expect(await writeMetricsBatch(service.db, job.id, 1, rows(4, 5))).toBe(false);
    expect(await finishJob(service.db, job.id, "succeeded", null, 1)).toBe(false);
    expect((await metricsAfter(service.db, job.id, 0, 100)).map((r) => r.step)).toEqual([1, 2, 3]);
    // Rows held through a long outage go in one batch, past SQLite's bound-parameter limit.
    expect(await writeMetricsBatch(service.db, job.id, 2, rows(4, 5003))).toBe(true);
    expect(await service.db.metric.count({ where: { jobId: job.id } })).toBe(5003);
    expect(await finishJob(service.db, job.id, "succeeded", null, 2)).toBe(true);
  });
});

describe("database errors", () => {
  it("tells an unreachable database from a bad query", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "P1001" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("Raw query failed"), { code: "P2010", meta: { driverAdapterError: { cause: { kind: "ConnectionClosed" } } } }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: Object.assign(new Error("y"), { code: "P1017" }) }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("Unique constraint failed"), { code: "P2002" }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("something else"))).toBe(false);
  });
});
