// docker-compose.yml must be a valid compose file (checked by Debian's docker-compose; this machine
// has no Docker engine) with the four services, a worker that can be scaled, and the service wiring.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const compose = (...args: string[]) => execFileSync("docker-compose", ["-f", path.join(root, "docker-compose.yml"), ...args], { cwd: root, encoding: "utf8" });

describe("docker-compose.yml", () => {
  it("is accepted by docker-compose config, with api, worker, redis and postgres", () => {
    expect(compose("config", "--quiet")).toBe("");
    expect(compose("config", "--services").trim().split("\n").sort()).toEqual(["api", "postgres", "redis", "worker"]);
  });

  it("wires api and worker to the compose redis and postgres, and leaves the worker scalable", () => {
    const config = compose("config");
    for (const name of ["api", "worker"]) {
      const block = serviceBlock(config, name);
      expect(block).toMatch(/DATABASE_URL: postgresql:\/\/\S+@postgres:5432\//);
      expect(block).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
    }
    // A fixed container name or a published port would stop `--scale worker=N`.
    expect(serviceBlock(config, "worker")).not.toMatch(/^ {4}(container_name|ports):/m);
    expect(serviceBlock(config, "api")).toMatch(/^ {4}ports:/m);
  });
});

/** The lines of one service in `docker-compose config` output (services are indented by two spaces). */
function serviceBlock(config: string, name: string): string {
  const lines = config.split("\n");
  const start = lines.indexOf(`  ${name}:`);
  expect(start, `service ${name}`).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^(\S| {2}\S)/.test(line));
  return rest.slice(0, end < 0 ? undefined : end).join("\n");
}
