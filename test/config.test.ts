import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

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
  it("puts the SQLite file under DATA_DIR", () => {
    expect(loadConfig({ DATA_DIR: "/tmp/x" }).databaseUrl).toBe("file:/tmp/x/trainyard.db");
  });
});
