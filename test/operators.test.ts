// What operators get: GET /metrics (Prometheus text, its own registry; service-wide figures read
// from BullMQ, the database and the workers' Redis hashes; HTTP latency by route pattern), the
// queue board at /admin/queues behind the admin key, request ids, and job_id on every API log line
// about a job. Real HTTP, database and Redis; workers' figures come from the worker's own publisher.
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/api/app.js";
import { redisConnection } from "../src/queue/training-queue.js";
import { StepRates, WorkerStatsPublisher } from "../src/queue/worker-stats.js";
import { createJob, finishJob, startAttempt } from "../src/store/jobs.js";
import { parseMetrics, sampleValue, type Sample } from "./helpers/prometheus.js";
import { startTestService, TEST_DB, type TestService } from "./helpers/service.js";

let service: TestService;
let base: string;
const extraApps: FastifyInstance[] = [];
beforeAll(async () => {
  service = await startTestService();
  base = await service.app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  for (const app of extraApps) await app.close();
  await service?.cleanup();
});

/** Another app on the same database and queue, with other settings (and a logger when given). */
async function appWith(config: Partial<TestService["config"]>, logger?: object): Promise<FastifyInstance> {
  const app = await buildApp({ config: { ...service.config, ...config }, db: service.db, queue: service.queue }, { logger: logger ?? false });
  await app.ready();
  extraApps.push(app);
  return app;
}

async function scrape(app = service.app): Promise<Sample[]> {
  const res = await app.inject({ method: "GET", url: "/metrics" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(res.body);
}

const newJob = () => createJob(service.db, { spec: { epochs: 1 }, modelId: null, datasetId: null, datasetName: "iris", totalSteps: 4 });

/** A job that ran for `seconds` and ended with `status`. */
async function finishedJob(status: "succeeded" | "failed" | "cancelled", seconds: number) {
  const job = await newJob();
  await startAttempt(service.db, job.id);
  await finishJob(service.db, job.id, status, status === "failed" ? "boom" : null);
  const finishedAt = new Date();
  await service.db.job.update({ where: { id: job.id }, data: { startedAt: new Date(finishedAt.getTime() - seconds * 1000), finishedAt } });
  return job;
}

describe(`GET /metrics (${TEST_DB})`, () => {
  it("counts jobs by status from the database and the queue by state from BullMQ", async () => {
    const queued = [await newJob(), await newJob()];
    for (const job of queued) await service.queue.enqueue(job.id);
    const running = await newJob();
    await startAttempt(service.db, running.id);
    const samples = await scrape();
    expect(sampleValue(samples, "trainyard_jobs", { status: "queued" })).toBe(2);
    expect(sampleValue(samples, "trainyard_jobs", { status: "running" })).toBe(1);
    expect(sampleValue(samples, "trainyard_jobs", { status: "succeeded" })).toBe(0);
    // Every job has a priority, so BullMQ keeps queued jobs in its "prioritized" list.
    expect(sampleValue(samples, "trainyard_queue_jobs", { state: "prioritized" })).toBe(2);
    expect(sampleValue(samples, "trainyard_queue_jobs", { state: "waiting" })).toBe(0);
    expect(sampleValue(samples, "trainyard_queue_jobs", { state: "active" })).toBe(0);
    // Process metrics come with it.
    expect(sampleValue(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(samples.some((s) => s.name === "nodejs_eventloop_lag_seconds")).toBe(true);
    for (const job of queued) await service.queue.removeWaiting(job.id);
    await finishJob(service.db, running.id, "cancelled");
  });

  it("observes each finished job's run time once, by final status; jobs cancelled while queued are not counted", async () => {
    const count = (samples: Sample[], status: string) => sampleValue(samples, "trainyard_job_duration_seconds_count", { status }) ?? 0;
    const bucket = (samples: Sample[], status: string, le: string) => sampleValue(samples, "trainyard_job_duration_seconds_bucket", { status, le }) ?? 0;
    const before = await scrape();
    await finishedJob("succeeded", 42);
    await finishedJob("failed", 3);
    const neverStarted = await newJob();
    await finishJob(service.db, neverStarted.id, "cancelled");

    const after = await scrape();
    expect(count(after, "succeeded") - count(before, "succeeded")).toBe(1);
    expect(bucket(after, "succeeded", "30") - bucket(before, "succeeded", "30")).toBe(0);
    expect(bucket(after, "succeeded", "60") - bucket(before, "succeeded", "60")).toBe(1);
    expect(count(after, "failed") - count(before, "failed")).toBe(1);
    expect(bucket(after, "failed", "1") - bucket(before, "failed", "1")).toBe(0);
    expect(bucket(after, "failed", "5") - bucket(before, "failed", "5")).toBe(1);
    expect(count(after, "cancelled")).toBe(count(before, "cancelled"));

    // Scraping again counts nothing twice; a job finished since is counted.
    expect(count(await scrape(), "succeeded")).toBe(count(after, "succeeded"));
    await finishedJob("succeeded", 0.5);
    const later = await scrape();
    expect(count(later, "succeeded") - count(after, "succeeded")).toBe(1);
    expect(bucket(later, "succeeded", "1") - bucket(after, "succeeded", "1")).toBe(1);

    // A fresh API instance (another process, or a restart) reports the same totals from the database.
    const other = await appWith({});
    const fresh = await scrape(other);
    for (const status of ["succeeded", "failed", "cancelled"]) expect(count(fresh, status), status).toBe(count(later, status));
  });

  it("measures HTTP latency by route pattern and status code, never by raw URL", async () => {
    const job = await newJob();
    expect((await fetch(`${base}/v1/jobs/${job.id}`)).status).toBe(200);
    expect((await fetch(`${base}/v1/jobs/no-such-job`)).status).toBe(404);
    expect((await fetch(`${base}/no/such/route`)).status).toBe(404);
    const samples = await scrape();
    const count = (labels: Record<string, string>) => sampleValue(samples, "trainyard_http_request_duration_seconds_count", labels);
    expect(count({ method: "GET", route: "/v1/jobs/:id", status_code: "200" })).toBeGreaterThanOrEqual(1);
    expect(count({ method: "GET", route: "/v1/jobs/:id", status_code: "404" })).toBeGreaterThanOrEqual(1);
    expect(count({ method: "GET", route: "unmatched", status_code: "404" })).toBeGreaterThanOrEqual(1);
    expect(samples.filter((s) => s.name.startsWith("trainyard_http_") && (s.labels.route?.includes(job.id) || s.labels.route?.includes("no-such")))).toEqual([]);
  });

  it("reports each live worker's steps/s and jobs from its Redis hash, and drops a worker that stopped", async () => {
    const redis = redisConnection(service.config);
    const rates = new StepRates();
    const now = Date.now();
    rates.record("job-a", 100, now - 2000);
    rates.record("job-a", 200, now - 1000); // 100 steps/s
    rates.record("job-b", 0, now - 1000);
    rates.record("job-b", 50, now); // 50 steps/s
    const errors: Error[] = [];
    const publisher = new WorkerStatsPublisher(redis, service.config.queuePrefix, "host-a:123", () => ({ stepsPerSecond: rates.total(), activeJobs: 2 }), (e) => errors.push(e));
    try {
      const samples = await (async () => {
        // The first publish is under way: wait until Redis has it.
        for (let i = 0; i < 50; i++) {
          const s = await scrape();
          if (sampleValue(s, "trainyard_worker_active_jobs", { worker: "host-a:123" }) !== undefined) return s;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error("the worker's figures never reached /metrics");
      })();
      expect(sampleValue(samples, "trainyard_worker_training_steps_per_second", { worker: "host-a:123" })).toBeCloseTo(150, 6);
      expect(sampleValue(samples, "trainyard_worker_active_jobs", { worker: "host-a:123" })).toBe(2);
    } finally {
      await publisher.stop();
      redis.disconnect();
    }
    expect(errors).toEqual([]);
    const gone = await scrape();
    expect(sampleValue(gone, "trainyard_worker_active_jobs", { worker: "host-a:123" })).toBeUndefined();
  });

  it("asks for METRICS_TOKEN when it is set", async () => {
    const app = await appWith({ metricsToken: "scrape-me" });
    const none = await app.inject({ method: "GET", url: "/metrics" });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe("unauthorized");
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect((await app.inject({ method: "GET", url: "/metrics", headers: { authorization: "Bearer wrong" } })).statusCode).toBe(401);
    const ok = await app.inject({ method: "GET", url: "/metrics", headers: { authorization: "Bearer scrape-me" } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatch(/^# HELP trainyard_jobs /m);
  });
});

describe("StepRates (a worker's steps/s)", () => {
  it("sums its jobs' rates over the last 10 s, starts afresh when a job resumes from an earlier step, and counts a silent job 0", () => {
    const rates = new StepRates();
    const t = 1_000_000;
    expect(rates.total(t)).toBe(0);
    rates.record("a", 0, t);
    expect(rates.total(t)).toBe(0); // one report is no rate yet
    rates.record("a", 40, t + 2_000);
    rates.record("b", 10, t);
    rates.record("b", 20, t + 1_000);
    expect(rates.total(t + 2_000)).toBe(20 + 10);
    // Reports older than the window no longer count towards the rate.
    rates.record("a", 100, t + 13_000);
    expect(rates.total(t + 13_000)).toBeCloseTo((100 - 40) / 11, 9); // the first report dropped out; b silent for 12 s: 0
    rates.record("a", 150, t + 14_000);
    expect(rates.total(t + 14_000)).toBe(50); // the report at t + 2 s dropped out too
    // Resumed from a checkpoint at step 120: the steps trained again are measured afresh.
    rates.record("a", 120, t + 15_000);
    expect(rates.total(t + 15_000)).toBe(0);
    rates.record("a", 170, t + 16_000);
    expect(rates.total(t + 16_000)).toBe(50);
    rates.forget("a");
    expect(rates.total(t + 16_000)).toBe(0);
  });
});

describe(`queue board at /admin/queues (${TEST_DB})`, () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

  it("is off (404) without ADMIN_API_KEY", async () => {
    for (const url of ["/admin/queues", "/admin/queues/api/queues"]) {
      const res = await service.app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.message).toMatch(/set ADMIN_API_KEY/);
    }
  });

  it("answers 401 without the admin key, asking for Basic credentials so that a browser prompts", async () => {
    const app = await appWith({ adminApiKey: "admin-secret" });
    for (const authorization of [undefined, "Bearer nope", basic("admin", "nope"), "Bearer admin-secret-but-longer", "admin-secret"]) {
      const res = await app.inject({ method: "GET", url: "/admin/queues", headers: authorization ? { authorization } : {} });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.headers["www-authenticate"]).toMatch(/^Basic realm="trainyard admin"/);
      expect(res.json().error.code).toBe("unauthorized");
    }
    expect((await app.inject({ method: "GET", url: "/admin/queues/api/queues" })).statusCode).toBe(401);
  });

  it("opens with the key as a bearer token or as a Basic password; its API lists the training queue, read-only", async () => {
    const app = await appWith({ adminApiKey: "admin-secret" });
    const job = await newJob();
    await service.queue.enqueue(job.id);
    for (const authorization of ["Bearer admin-secret", basic("anyone", "admin-secret")]) {
      const page = await app.inject({ method: "GET", url: "/admin/queues", headers: { authorization } });
      expect(page.statusCode, authorization).toBe(200);
      expect(page.headers["content-type"]).toMatch(/text\/html/);
      expect(page.body).toContain("/admin/queues");
    }
    const api = await app.inject({ method: "GET", url: "/admin/queues/api/queues?activeQueue=training&status=prioritized", headers: { authorization: "Bearer admin-secret" } });
    expect(api.statusCode).toBe(200);
    const queues = api.json().queues as { name: string; readOnlyMode: boolean; counts: Record<string, number>; jobs: { id: string }[] }[];
    const training = queues.find((q) => q.name === "training")!;
    expect(training).toBeDefined();
    expect(training.readOnlyMode).toBe(true);
    expect(training.counts.prioritized).toBeGreaterThanOrEqual(1);
    expect(training.jobs.map((j) => j.id)).toContain(job.id);
    // Read-only: pausing the queue from the board is refused and the queue keeps running.
    const pause = await app.inject({ method: "PUT", url: "/admin/queues/api/queues/training/pause", headers: { authorization: "Bearer admin-secret" } });
    expect(pause.statusCode).toBe(405);
    expect(await service.queue.queue.isPaused()).toBe(false);
    await service.queue.removeWaiting(job.id);
  });
});

describe(`request ids and job log lines (${TEST_DB})`, () => {
  it("answers X-Request-Id: the caller's when it looks like an id, a fresh one otherwise", async () => {
    const own = await fetch(`${base}/healthz`, { headers: { "x-request-id": "trace-42.a:b" } });
    expect(own.headers.get("x-request-id")).toBe("trace-42.a:b");
    const fresh = await fetch(`${base}/healthz`);
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await fetch(`${base}/healthz`, { headers: { "x-request-id": 'x" injected=1' } });
    expect(forged.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    // The SSE stream writes its own response head, and carries the id too.
    const job = await finishedJob("succeeded", 1);
    const events = await fetch(`${base}/v1/jobs/${job.id}/events`, { headers: { "x-request-id": "sse-1" } });
    expect(events.headers.get("x-request-id")).toBe("sse-1");
    await events.text();
  });

  it("puts job_id on every log line of a request about a job", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    const app = await appWith({}, { level: "info", stream });
    const submitted = await app.inject({
      method: "POST",
      url: "/v1/jobs",
      headers: { "x-request-id": "req-submit" },
      payload: {
        model: { layers: [{ type: "Linear", in_features: 4, out_features: 3 }] },
        dataset: { name: "iris" },
        loss: { type: "CrossEntropyLoss" },
        optimizer: { type: "SGD", lr: 0.1 },
        epochs: 1,
        batch_size: 16,
      },
    });
    expect(submitted.statusCode).toBe(202);
    const id = submitted.json().id as string;
    const requests: [string, string, string][] = [
      ["req-get", "GET", `/v1/jobs/${id}`],
      ["req-metrics", "GET", `/v1/jobs/${id}/metrics?after=0`],
      ["req-cancel", "POST", `/v1/jobs/${id}/cancel`],
      ["req-cancel-again", "POST", `/v1/jobs/${id}/cancel`], // 409: an error line, still about the job
      ["req-events", "GET", `/v1/jobs/${id}/events`],
    ];
    for (const [reqId, method, url] of requests) await app.inject({ method: method as "GET" | "POST", url, headers: { "x-request-id": reqId } });
    await service.queue.removeWaiting(id);

    const about = (reqId: string) => lines.filter((l) => l.reqId === reqId);
    for (const reqId of ["req-submit", ...requests.map((r) => r[0])]) {
      const own = about(reqId);
      expect(own.map((l) => l.msg), reqId).toContain("request completed");
      expect(own.map((l) => l.msg), reqId).toContain("incoming request");
      // A new job has no id before the handler creates it: the submit's first line goes without.
      for (const line of reqId === "req-submit" ? own.filter((l) => l.msg !== "incoming request") : own) expect(line.job_id, `${reqId}: ${JSON.stringify(line)}`).toBe(id);
    }
    expect(about("req-submit").find((l) => l.msg === "job queued")).toMatchObject({ job_id: id, total_steps: 10 }) // 150 rows, 16 a batch;
    expect(about("req-cancel").find((l) => l.msg === "cancel requested")).toMatchObject({ job_id: id, outcome: "cancelled" });
    // Requests about no job carry no job_id.
    await app.inject({ method: "GET", url: "/v1/jobs", headers: { "x-request-id": "req-list" } });
    expect(about("req-list").length).toBeGreaterThan(0);
    for (const line of about("req-list")) expect(line.job_id).toBeUndefined();
  });
});
