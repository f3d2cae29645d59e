// Redis restarted with all queue state gone (a private redis-server that keeps nothing on disk, as
// the machine's own): the reconcilers (one beside the API, one in each worker process) put back every
// job the database says is queued or running, each exactly once, and every job then trains once
// to the end. A job whose worker is still training it when Redis comes back is stopped there (its
// lock is gone) and resumed from its checkpoint, without a gap or a duplicate in its metrics.
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconcile, startReconciler, type ReconcilerHandle } from "../../src/queue/reconciler.js";
import { createJob } from "../../src/store/jobs.js";
import { useLiveService, type Json } from "../helpers/live-service.js";
import { PrivateRedis } from "../helpers/redis-server.js";
import { TEST_DB } from "../helpers/service.js";
import { waitFor } from "../helpers/worker-process.js";
import { expectCompleteMetrics, longIrisJob, statusHistory, tinyJob, weightsSha } from "./jobs.js";

const redis = new PrivateRedis();
beforeAll(() => redis.start());
afterAll(() => redis.kill());
const live = useLiveService({ env: () => ({ REDIS_URL: redis.url }) });

/** How many times each job was added to the queue since Redis started, from BullMQ's own event stream. */
async function additions(): Promise<Map<string, number>> {
  const client = new Redis(redis.url);
  const entries = await client.xrange(`${live.service.config.queuePrefix}:training:events`, "-", "+").finally(() => client.disconnect());
  const counts = new Map<string, number>();
  for (const [, fields] of entries) {
    const event = Object.fromEntries(fields.flatMap((v, i) => (i % 2 === 0 ? [[v, fields[i + 1]]] : [])));
    if (event.event === "added") counts.set(event.jobId, (counts.get(event.jobId) ?? 0) + 1);
  }
  return counts;
}

describe(`Redis restarted, queue state gone (${TEST_DB})`, () => {
  let reconciler: ReconcilerHandle;
  beforeAll(() => {
    // The API process's reconciler (src/main.ts starts the same).
    reconciler = startReconciler(live.service.db, live.service.queue, pino({ level: "warn" }), 60_000);
  });
  afterAll(() => reconciler.stop());

  it("re-enqueues every queued and running job exactly once; each trains once to the end", async () => {
    const first = live.worker();
    const running = await live.api("POST", "/v1/jobs", longIrisJob(60));
    expect(running.status).toBe(202);
    await live.untilStep(running.body.id, 100);
    // Waiting behind it (the one worker is busy), and one the API wrote but never enqueued (as if it
    // died between the two).
    const queued: string[] = [];
    for (let seed = 0; seed < 4; seed++) {
      const res = await live.api("POST", "/v1/jobs", tinyJob(seed));
      expect(res.status).toBe(202);
      queued.push(res.body.id);
    }
    const template = await live.job(queued[0]);
    const neverEnqueued = await createJob(live.service.db, { spec: template.spec, modelId: null, datasetId: null, datasetName: "iris", totalSteps: template.progress.total_steps });
    queued.push(neverEnqueued.id);
    const before = await live.job(running.body.id);
    expect(before.status).toBe("running");
    expect(before.progress.step).toBeLessThan(before.progress.total_steps);

    await redis.kill();
    await redis.start();
    // Both reconcilers (this one and the worker's) run as their connections come back; a second
    // worker joins.
    live.worker();
    const unfinished = [running.body.id, ...queued];
    const done: Json[] = [];
    for (const id of unfinished) done.push(await live.untilStatus(id, ["succeeded", "failed", "cancelled"]));
    for (const job of done) {
      expect(job.error).toBeNull();
      expect(job.status).toBe("succeeded");
      expect((await statusHistory(live.service.db, job.id)).terminal).toEqual(["succeeded"]);
      await expectCompleteMetrics(live, job);
    }

    const added = await additions();
    expect(unfinished.map((id) => added.get(id) ?? 0)).toEqual(unfinished.map(() => 1));
    expect(done.slice(1).map((j) => j.attempts)).toEqual(queued.map(() => 1));
    // The running job was stopped where its lock was lost and resumed once from its checkpoint.
    expect(done[0].attempts).toBeLessThanOrEqual(2);
    expect((await statusHistory(live.service.db, done[0].id)).running).toBe(done[0].attempts);
    // The never-enqueued job trained like its twin submitted through the API (same spec, same seed).
    expect(await weightsSha(live, neverEnqueued.id)).toBe(await weightsSha(live, queued[0]));
    // Nothing is left to put back.
    expect((await reconcile(live.service.db, live.service.queue)).enqueued).toEqual([]);
    first.process.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  }, 300_000);

  it("a running job's worker that is still alive hands the job over without writing after its successor", async () => {
    const w = live.worker();
    const res = await live.api("POST", "/v1/jobs", longIrisJob(60));
    await live.untilStep(res.body.id, 100);
    await redis.kill();
    await redis.start();
    const done = await live.untilStatus(res.body.id, ["succeeded", "failed", "cancelled"]);
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBe(2);
    const events = await live.service.db.event.findMany({ where: { jobId: res.body.id }, orderBy: { id: "asc" } });
    expect(events.filter((e) => e.type === "resumed")).toHaveLength(1);
    await expectCompleteMetrics(live, done);
    const reference = await live.api("POST", "/v1/jobs", longIrisJob(60));
    const referenceDone = await live.untilStatus(reference.body.id, ["succeeded", "failed"]);
    expect(referenceDone.attempts).toBe(1);
    expect(await live.allMetrics(done.id)).toEqual(await live.allMetrics(referenceDone.id));
    expect(await weightsSha(live, done.id)).toBe(await weightsSha(live, referenceDone.id));
    await waitFor("nothing left in the queue", async () => ((await reconcile(live.service.db, live.service.queue)).checked === 0 ? true : undefined), 30_000);
    w.process.kill("SIGTERM");
    expect(await w.exited).toBe(0);
  }, 300_000);

  it("while Redis is down, a submission is answered 503 rather than left hanging", async () => {
    await redis.kill();
    const refused = await live.api("POST", "/v1/jobs", tinyJob(9));
    expect(refused.status).toBe(503);
    expect(refused.body.error.message).toMatch(/job queue \(Redis\) is unreachable/);
    const ready = await live.api("GET", "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body.error.message).toMatch(/redis/);
    await redis.start();
    expect(await live.service.db.job.count({ where: { status: { in: ["queued", "running"] } } })).toBe(0); // the refused job was not kept
    await waitFor("the API to take jobs again", async () => ((await live.api("POST", "/v1/jobs", tinyJob(9))).status === 202 ? true : undefined), 30_000, 200);
  });
});
