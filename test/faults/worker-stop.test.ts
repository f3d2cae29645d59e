// SIGTERM's bound: a worker whose job has not checkpointed within SHUTDOWN_GRACE_MS exits anyway
// (status 1, not 0), and the job, whose lock then expires, resumes on another worker from its last
// checkpoint and ends as an uninterrupted run would. (test/resume.e2e.test.ts covers the usual case:
// the job checkpoints in time and the worker exits 0.)
import { describe, expect, it } from "vitest";
import { useLiveService, type Json } from "../helpers/live-service.js";
import { TEST_DB } from "../helpers/service.js";
import { expectCompleteMetrics, longIrisJob, weightsSha } from "./jobs.js";

const live = useLiveService();
const spec = longIrisJob(30);

describe(`a worker stopped with SIGTERM (${TEST_DB})`, () => {
  let reference: Json;

  it("an uninterrupted run (the reference)", async () => {
    const w = live.worker();
    const res = await live.api("POST", "/v1/jobs", spec);
    reference = await live.untilStatus(res.body.id, ["succeeded", "failed"]);
    expect(reference.status).toBe("succeeded");
    w.process.kill("SIGTERM");
    expect(await w.exited).toBe(0);
  });

  it("exits after SHUTDOWN_GRACE_MS even if its job has not checkpointed; the job resumes elsewhere", async () => {
    const impatient = live.worker({ SHUTDOWN_GRACE_MS: "1" });
    const res = await live.api("POST", "/v1/jobs", spec);
    await live.untilStep(res.body.id, 300);
    impatient.process.kill("SIGTERM");
    expect(await impatient.exited).toBe(1);
    live.worker();
    const done = await live.untilStatus(res.body.id, ["succeeded", "failed"]);
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBe(2);
    await expectCompleteMetrics(live, done);
    expect(await live.allMetrics(done.id)).toEqual(await live.allMetrics(reference.id));
    expect(await weightsSha(live, done.id)).toBe(await weightsSha(live, reference.id));
  });
});
