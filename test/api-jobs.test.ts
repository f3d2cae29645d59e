// Job routes that need no training: listing with a status filter and cursor pages, cancelling a
// queued job (it leaves the BullMQ queue too), 409 on a finished job, the SSE stream of a job's
// history, and weights that are not there yet. Real HTTP (a listening server), Redis and database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJob, finishJob, startAttempt } from "../src/store/jobs.js";
import { writeMetrics } from "../src/store/metrics.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

let service: TestService;
let base: string;
beforeAll(async () => {
  service = await startTestService();
  base = await service.app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await service?.cleanup();
});

const newJob = async () => {
  const job = await createJob(service.db, { spec: { epochs: 1 }, modelId: null, datasetId: null, datasetName: "iris", totalSteps: 4 });
  await service.queue.enqueue(job.id);
  return job;
};
const get = async (path: string) => {
  const res = await fetch(base + path);
  return { status: res.status, body: (await res.json()) as any };
};

describe(`job routes (${TEST_DB})`, () => {
  it("pages through jobs newest first and filters by status", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await newJob()).id);
    await startAttempt(service.db, ids[1]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { jobs: { id: string }[]; next_cursor: string | null } } = await get(`/v1/jobs?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      expect(page.body.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.jobs.map((j) => j.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    const running = await get("/v1/jobs?status=running");
    expect(running.body.jobs.map((j: { id: string }) => j.id)).toEqual([ids[1]]);
    expect((await get("/v1/jobs?status=bogus")).body.error.field).toBe("status");
    expect((await get("/v1/jobs?cursor=nope")).status).toBe(400);
  });

  it("cancels a queued job at once and takes it out of the queue; a finished job is 409", async () => {
    const job = await newJob();
    expect(await service.queue.queue.getJob(job.id)).toBeTruthy();
    const res = await fetch(`${base}/v1/jobs/${job.id}/cancel`, { method: "POST" });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { status: string; finished_at: string | null };
    expect(body.status).toBe("cancelled");
    expect(body.finished_at).not.toBeNull();
    expect(await service.queue.queue.getJob(job.id)).toBeFalsy();
    const again = await fetch(`${base}/v1/jobs/${job.id}/cancel`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: unknown }).error).toEqual({ code: "conflict", message: `job ${job.id} is already cancelled` });
  });

  it("a running job goes to cancelling", async () => {
    const job = await newJob();
    await startAttempt(service.db, job.id);
    const res = await fetch(`${base}/v1/jobs/${job.id}/cancel`, { method: "POST" });
    expect(((await res.json()) as { status: string }).status).toBe("cancelling");
  });

  it("answers 409 for weights of a job that has not finished", async () => {
    const job = await newJob();
    const res = await get(`/v1/jobs/${job.id}/weights`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/no final weights \(status queued\)/);
  });

  it("streams a job's statuses and metrics as server-sent events, ending after the final status", async () => {
    const job = await newJob();
    await startAttempt(service.db, job.id);
    await writeMetrics(service.db, job.id, [1, 2, 3].map((step) => ({ step, epoch: 1, train_loss: 1 / step, lr: 0.1 })));
    const res = await fetch(`${base}/v1/jobs/${job.id}/events`);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    setTimeout(() => void finishJob(service.db, job.id, "succeeded"), 500);
    const text = await res.text(); // the server ends the stream after "succeeded"
    const events = text.trim().split("\n\n").map((block) => {
      const fields = Object.fromEntries(block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
      return { id: fields.id, type: fields.event, data: JSON.parse(fields.data) };
    });
    expect(events.map((e) => (e.type === "metric" ? `metric ${e.data.step}` : `${e.type} ${e.data.status}`))).toEqual(["metric 1", "metric 2", "metric 3", "status queued", "status running", "status succeeded"]);
    // Reconnecting with the last id replays nothing already seen.
    const replay = await fetch(`${base}/v1/jobs/${job.id}/events`, { headers: { "last-event-id": events[4].id } });
    expect((await replay.text()).match(/^event: /gm)).toEqual(["event: "]);
  });

  it("ends the event stream of a job whose final status came with its last metrics", async () => {
    const job = await newJob();
    await startAttempt(service.db, job.id);
    await writeMetrics(service.db, job.id, [1, 2].map((step) => ({ step, epoch: 1, train_loss: 1 / step, lr: 0.1 })));
    await finishJob(service.db, job.id, "succeeded");
    const text = await (await fetch(`${base}/v1/jobs/${job.id}/events`)).text(); // ends on its own
    expect(text.match(/^event: .*$/gm)).toEqual(["event: metric", "event: metric", "event: status", "event: status", "event: status"]);
  });
});
