import { describe, expect, it } from "vitest";
import { loadConfig, redactUrl } from "../src/config.js";

describe("loadConfig", () => {
  it("uses embedded defaults", () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe("file:./data/trainyard.db");
    expect(c.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(c.port).toBe(3000);
    expect(c.workerConcurrency).toBe(1);
  });
  it("names the variable that is wrong", () => {
    expect(() => loadConfig({ PORT: "abc" })).toThrow(/PORT must be a positive integer/);
    expect(() => loadConfig({ WORKER_CONCURRENCY: "0" })).toThrow(/WORKER_CONCURRENCY/);
  });
  it("reads the queue and limit settings", () => {
    const c = loadConfig({ QUEUE_PREFIX: "p", MAX_UPLOAD_BYTES: "10", STALLED_INTERVAL_MS: "500", JOB_ATTEMPTS: "2" });
    expect([c.queuePrefix, c.maxUploadBytes, c.stalledIntervalMs, c.jobAttempts]).toEqual(["p", 10, 500, 2]);
    expect(loadConfig({}).queuePrefix).toBe("trainyard");
    expect(loadConfig({ MAX_JSON_BODY_BYTES: "2048", MAX_MODEL_LAYERS: "10" })).toMatchObject({ maxJsonBodyBytes: 2048, modelLimits: { maxLayers: 10, maxParameters: 50_000_000 } });
    expect(() => loadConfig({ MAX_MODEL_PARAMETERS: "lots" })).toThrow(/MAX_MODEL_PARAMETERS must be a positive integer/);
  });
  it("reads the admin key, quotas, rate limit and idempotency settings", () => {
    const defaults = loadConfig({});
    expect(defaults.adminApiKey).toBeNull(); // single-user mode
    expect([defaults.quotaRunningJobs, defaults.quotaQueuedJobs, defaults.quotaStoredBytes]).toEqual([4, 100, 10 * 1024 ** 3]);
    expect([defaults.rateLimitMax, defaults.rateLimitWindowMs, defaults.idempotencyTtlSeconds]).toEqual([3000, 60_000, 86_400]);
    const c = loadConfig({ ADMIN_API_KEY: "0123456789abcdef", QUOTA_RUNNING_JOBS: "2", QUOTA_QUEUED_JOBS: "3", QUOTA_STORED_BYTES: "4", RATE_LIMIT_MAX: "5", RATE_LIMIT_WINDOW_MS: "6", IDEMPOTENCY_TTL_SECONDS: "7" });
    expect([c.adminApiKey, c.quotaRunningJobs, c.quotaQueuedJobs, c.quotaStoredBytes, c.rateLimitMax, c.rateLimitWindowMs, c.idempotencyTtlSeconds]).toEqual(["0123456789abcdef", 2, 3, 4, 5, 6, 7]);
    expect(loadConfig({ ADMIN_API_KEY: "" }).adminApiKey).toBeNull();
    expect(() => loadConfig({ ADMIN_API_KEY: "short" })).toThrow(/ADMIN_API_KEY must be at least 16 characters/);
    expect(() => loadConfig({ RATE_LIMIT_MAX: "0" })).toThrow(/RATE_LIMIT_MAX/);
  });
  it("reads the fault-tolerance settings", () => {
    const d = loadConfig({});
    expect([d.dbRetryMs, d.metricsHoldRows, d.reconcileIntervalMs, d.shutdownGraceMs]).toEqual([300_000, 100_000, 60_000, 30_000]);
    const c = loadConfig({ DB_RETRY_MS: "5", METRICS_HOLD_ROWS: "6", RECONCILE_INTERVAL_MS: "7", SHUTDOWN_GRACE_MS: "8" });
    expect([c.dbRetryMs, c.metricsHoldRows, c.reconcileIntervalMs, c.shutdownGraceMs]).toEqual([5, 6, 7, 8]);
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: "-1" })).toThrow(/SHUTDOWN_GRACE_MS/);
  });
  it("hides passwords in URLs it prints", () => {
    expect(redactUrl("postgresql://u:pw@h:5432/db")).toBe("postgresql://u:***@h:5432/db");
    expect(redactUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });
  it("puts the SQLite file under DATA_DIR", () => {
    expect(loadConfig({ DATA_DIR: "/tmp/x" }).databaseUrl).toBe("file:/tmp/x/trainyard.db");
  });
});
