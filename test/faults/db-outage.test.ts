// The database unreachable for a while (PostgreSQL behind a TCP proxy that the test cuts: new
// connections refused, open ones reset; the shared server itself is never stopped). The API answers
// 503 with a clear message and /readyz says not ready, then both recover by themselves; a worker that
// was training holds its metrics and retries their write, and its job ends as an uninterrupted run
// would, in the same attempt: every metric row there once, the same weights byte for byte.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useLiveService, type Json } from "../helpers/live-service.js";
import { TcpProxy } from "../helpers/tcp-proxy.js";
import { waitFor } from "../helpers/worker-process.js";
import { expectCompleteMetrics, longIrisJob, statusHistory, weightsSha } from "./jobs.js";

const proxy = new TcpProxy("127.0.0.1", 5432);
beforeAll(() => proxy.start());
afterAll(() => proxy.cut());
const live = useLiveService({
  service: {
    db: "postgres",
    databaseUrl: (url) => {
      const proxied = new URL(url);
      proxied.port = String(proxy.port);
      return proxied.toString();
    },
  },
});

const spec = longIrisJob(30);
// Held rows are bounded: past 50, training waits for the database.
const workerEnv = { DB_RETRY_MS: "120000", METRICS_HOLD_ROWS: "50" };

describe("the database unreachable for a while (postgres)", () => {
  let reference: Json;

  it("an uninterrupted run (the reference)", async () => {
    live.worker(workerEnv);
    const res = await live.api("POST", "/v1/jobs", spec);
    expect(res.status).toBe(202);
    reference = await live.untilStatus(res.body.id, ["succeeded", "failed"]);
    expect(reference.status).toBe("succeeded");
  });

  it("503 while it is away, then the API and the training job carry on with nothing lost", async () => {
    const submitted = await live.api("POST", "/v1/jobs", spec);
    expect(submitted.status).toBe(202);
    const id = submitted.body.id;
    await live.untilStep(id, 100);
    await proxy.cut();

    const get = await live.api("GET", `/v1/jobs/${id}`);
    expect(get.status).toBe(503);
    expect(get.body.error.code).toBe("unavailable");
    expect(get.body.error.message).toMatch(/^the database is unreachable, try again shortly: .*(reach database|closed the connection)/);
    const post = await live.api("POST", "/v1/jobs", spec);
    expect(post.status).toBe(503);
    expect(post.body.error.message).toMatch(/database is unreachable/);
    const ready = await live.api("GET", "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body.error.message).toMatch(/^not ready: database: /);
    // The outage lasts a few seconds, longer than the worker's first retries.
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await live.api("GET", "/healthz")).status).toBe(200);
    await proxy.restore();

    await waitFor("the API to answer again", async () => ((await live.api("GET", `/v1/jobs/${id}`)).status === 200 ? true : undefined), 30_000, 200);
    expect((await live.api("GET", "/readyz")).status).toBe(200);
    const done = await live.untilStatus(id, ["succeeded", "failed"]);
    expect(done.error).toBeNull();
    expect(done.status).toBe("succeeded");
    expect(done.attempts).toBe(1); // held and retried in place, not handed back to the queue
    expect((await statusHistory(live.service.db, id)).terminal).toEqual(["succeeded"]);
    // The worker met the outage mid-job and waited it out (its notice in the job's event log).
    const outages = await live.service.db.event.findMany({ where: { jobId: id, type: "database_outage" } });
    expect(outages.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...outages.map((e) => (e.data as { seconds: number }).seconds))).toBeGreaterThanOrEqual(3);
    await expectCompleteMetrics(live, done);
    expect(await live.allMetrics(id)).toEqual(await live.allMetrics(reference.id));
    expect(await weightsSha(live, id)).toBe(await weightsSha(live, reference.id));
  });
});
