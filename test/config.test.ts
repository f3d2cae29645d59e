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
  it("hides passwords in URLs it prints", () => {
    expect(redactUrl("postgresql://u:pw@h:5432/db")).toBe("postgresql://u:***@h:5432/db");
    expect(redactUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });
  it("puts the SQLite file under DATA_DIR", () => {
    expect(loadConfig({ DATA_DIR: "/tmp/x" }).databaseUrl).toBe("file:/tmp/x/trainyard.db");
  });
});
