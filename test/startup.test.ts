// A process whose Redis or PostgreSQL is not there says so in one line and exits non-zero, at once.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

function start(script: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ["--import", "tsx", script], {
    cwd: root,
    env: { ...process.env, DATA_DIR: path.join(root, "data", "startup-test"), ...env },
    encoding: "utf8",
    timeout: 25_000,
  });
  return { status: result.status, lines: result.stderr.trim().split("\n").filter(Boolean), timedOut: result.error !== undefined };
}

describe("start-up with a dependency down", () => {
  it("the API names the Redis URL and how to start one", () => {
    const { status, lines, timedOut } = start("src/main.ts", { REDIS_URL: "redis://127.0.0.1:1", DATABASE_URL: "" });
    expect(timedOut).toBe(false);
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^trainyard: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\): .*ECONNREFUSED.*Start one/);
  });

  it("the worker names the PostgreSQL URL (password hidden) and how to start one", () => {
    const { status, lines, timedOut } = start("workers/worker.ts", { DATABASE_URL: "postgresql://u:secret@127.0.0.1:1/db" });
    expect(timedOut).toBe(false);
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^trainyard: cannot reach PostgreSQL at postgresql:\/\/u:\*\*\*@127\.0\.0\.1:1\/db \(DATABASE_URL\)/);
    expect(lines[0]).not.toContain("secret");
  });

  it("a bad setting is one line too", () => {
    const { status, lines } = start("workers/worker.ts", { WORKER_CONCURRENCY: "zero" });
    expect(status).toBe(1);
    expect(lines).toEqual(['trainyard: WORKER_CONCURRENCY must be a positive integer, got "zero"']);
  });
});
