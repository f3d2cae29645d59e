// GET /metrics in Prometheus' text format, from a registry of this app's own (several apps in one
// process keep apart). HTTP latency is measured here, per route pattern; the rest is read at scrape
// time: queue depth from BullMQ, jobs by status and job durations from the database, and steps/s
// per worker from the figures workers keep in Redis (src/queue/worker-stats.ts). So every API
// instance reports the same service-wide figures, and nothing is lost when one restarts.
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { JOB_STATUSES } from "../../store/jobs.js";
import type { WorkerStats } from "../../queue/worker-stats.js";
import { bearerToken, sameSecret } from "../auth/bearer.js";
import type { ApiContext } from "../context.js";
import { ApiError } from "../errors.js";
import { JobDurationReader } from "./job-durations.js";

/** BullMQ states reported by trainyard_queue_jobs. */
export const QUEUE_STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children", "completed", "failed"] as const;
/** Seconds: from one second to a day. */
export const JOB_DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];
/** A source that does not answer within this time leaves its metric out of the scrape. */
const SOURCE_TIMEOUT_MS = 2_000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${SOURCE_TIMEOUT_MS} ms`)), SOURCE_TIMEOUT_MS).unref())]);
}

export interface ApiMetrics {
  registry: Registry;
  http: Histogram<"method" | "route" | "status_code">;
  /** Reads the registry's metrics for one scrape. */
  scrape(): Promise<string>;
}

export function createMetricsRegistry(app: FastifyInstance, ctx: ApiContext): ApiMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  // A scrape failing whole because Redis or the database is down would hide the process metrics too.
  const guarded = (what: string, read: () => Promise<void>) => withTimeout(read(), what).catch((err: Error) => app.log.warn({ err: err.message }, `metrics: ${what} unavailable`));

  const http = new Histogram({
    name: "trainyard_http_request_duration_seconds",
    help: "HTTP request latency, by method, route pattern and status code",
    labelNames: ["method", "route", "status_code"] as const,
    registers,
  });

  new Gauge({
    name: "trainyard_queue_jobs",
    help: "BullMQ jobs in the training queue, by state (completed and failed keep the last 1000)",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      this.reset();
      await guarded("queue", async () => {
        const counts = await ctx.queue.queue.getJobCounts(...QUEUE_STATES);
        for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
      });
    },
  });

  new Gauge({
    name: "trainyard_jobs",
    help: "Training jobs in the database, by status",
    labelNames: ["status"] as const,
    registers,
    async collect() {
      this.reset();
      await guarded("database", async () => {
        const groups = await ctx.db.job.groupBy({ by: ["status"], _count: { _all: true } });
        for (const status of JOB_STATUSES) this.set({ status }, groups.find((g) => g.status === status)?._count._all ?? 0);
      });
    },
  });

  const durations = new JobDurationReader(ctx.db);
  new Histogram({
    name: "trainyard_job_duration_seconds",
    help: "Run time of finished jobs (first start to final status), by final status; jobs cancelled before they started are not counted",
    labelNames: ["status"] as const,
    buckets: JOB_DURATION_BUCKETS,
    registers,
    async collect() {
      await guarded("database", () => durations.update((status, seconds) => this.observe({ status }, seconds)));
    },
  });

  // One read of the workers' figures serves both gauges of a scrape.
  let workers: Promise<WorkerStats[]> | null = null;
  const workerStats = () => (workers ??= ctx.queue.workerStats());
  new Gauge({
    name: "trainyard_worker_training_steps_per_second",
    help: "Training steps per second of each live worker process (all its jobs), over its last 10 s",
    labelNames: ["worker"] as const,
    registers,
    async collect() {
      this.reset();
      await guarded("redis", async () => {
        for (const s of await workerStats()) this.set({ worker: s.worker }, s.stepsPerSecond);
      });
    },
  });
  new Gauge({
    name: "trainyard_worker_active_jobs",
    help: "Jobs each live worker process is running",
    labelNames: ["worker"] as const,
    registers,
    async collect() {
      this.reset();
      await guarded("redis", async () => {
        for (const s of await workerStats()) this.set({ worker: s.worker }, s.activeJobs);
      });
    },
  });

  return {
    registry,
    http,
    async scrape() {
      workers = null;
      return registry.metrics();
    },
  };
}

/** Measures every request and serves GET /metrics (behind METRICS_TOKEN when set). */
export function installMetrics(app: FastifyInstance, ctx: ApiContext): void {
  const { registry, http, scrape } = createMetricsRegistry(app, ctx);

  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, not the URL, keeps the number of series bounded.
    const route = request.routeOptions.url ?? "unmatched";
    http.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  app.get("/metrics", {
    schema: {
      tags: ["operators"],
      summary: "Prometheus metrics (text format); needs Authorization: Bearer METRICS_TOKEN when that is set",
      response: { 200: { type: "string", description: "text/plain; version=0.0.4" } },
    },
  }, async (request, reply) => {
    if (ctx.config.metricsToken && !sameSecret(bearerToken(request), ctx.config.metricsToken)) {
      reply.header("www-authenticate", 'Bearer realm="trainyard metrics"');
      throw new ApiError(401, "unauthorized", "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>");
    }
    reply.type(registry.contentType);
    return scrape();
  });
}
